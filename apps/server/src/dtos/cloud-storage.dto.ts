/**
 * CVAT's cloud storage payloads: CloudStorageWriteRequest / PatchedCloudStorageWriteRequest in,
 * CloudStorageRead out (which has no credential fields at all: secrets are write-only), and
 * CloudStorageContent for content-v2.
 */
import { z } from 'zod';
import type { UrlBuilder } from '../http/urls.js';
import { CREDENTIALS_TYPES, PROVIDER_TYPES, type CloudStorageDetails } from '../repositories/cloud-storage.repository.js';
import { basicUser, basicUserSchema } from './common.js';

const providerType = z.enum(PROVIDER_TYPES);
const credentialsType = z
  .enum(CREDENTIALS_TYPES)
  .describe(
    "CVAT's types; AWS_S3_BUCKET takes KEY_SECRET_KEY_PAIR or ANONYMOUS_ACCESS, and Framewise's DEFAULT_CREDENTIAL_CHAIN " +
      "(the server's own credentials: environment, shared config, instance or task role; superusers only).",
  );

const manifestName = z.string().min(1).max(1024);

const writeFields = {
  provider_type: providerType,
  // S3 bucket names are 3-63 characters of [a-z0-9.-]; S3-compatible servers are laxer, but
  // nothing that could change the request path (a '/', '?', '#') is a bucket name anywhere.
  resource: z
    .string()
    .min(1)
    .max(222)
    .regex(/^[A-Za-z0-9._-]+$/, { error: 'a bucket name has only letters, digits, ".", "_" and "-"' }),
  display_name: z.string().min(1).max(63),
  credentials_type: credentialsType,
  // CVAT caps key at 40, secret_key at 64 and session_token at 440 characters; S3-compatible
  // servers use longer keys and STS session tokens run past 1000, so the caps here are wider.
  key: z.string().max(128).optional().describe('Access key id (KEY_SECRET_KEY_PAIR); never returned'),
  secret_key: z.string().max(256).optional().describe('Secret access key (KEY_SECRET_KEY_PAIR); never returned'),
  session_token: z.string().max(4096).optional().describe('Session token for temporary credentials; never returned. "" removes it.'),
  account_name: z.string().max(24).optional().describe('Azure only (not supported yet)'),
  connection_string: z.string().max(1024).optional().describe('Azure only (not supported yet)'),
  specific_attributes: z
    .string()
    .max(1024)
    .optional()
    .describe(
      'URL query string: region, endpoint_url (an S3-compatible server), prefix (the part of the bucket to use), ' +
        'force_path_style (true/false; default true with endpoint_url, else false). E.g. "region=eu-central-1&endpoint_url=http%3A%2F%2Fminio%3A9000"',
    ),
  description: z.string().max(10_000).optional(),
  manifests: z.array(manifestName).max(100).optional().describe('Manifest files (keys in the bucket); each must exist'),
};

export const cloudStorageCreateSchema = z.object(writeFields);
export type CloudStorageCreate = z.infer<typeof cloudStorageCreateSchema>;

export const cloudStoragePatchSchema = z.object({
  provider_type: writeFields.provider_type.optional(),
  resource: writeFields.resource.optional(),
  display_name: writeFields.display_name.optional(),
  credentials_type: writeFields.credentials_type.optional(),
  key: writeFields.key,
  secret_key: writeFields.secret_key,
  session_token: writeFields.session_token,
  account_name: writeFields.account_name,
  connection_string: writeFields.connection_string,
  specific_attributes: writeFields.specific_attributes,
  description: writeFields.description,
  manifests: writeFields.manifests,
});
export type CloudStoragePatch = z.infer<typeof cloudStoragePatchSchema>;

export const cloudStorageReadSchema = z.object({
  id: z.number(),
  owner: basicUserSchema.nullable(),
  manifests: z.array(z.string()),
  created_date: z.string(),
  updated_date: z.string(),
  provider_type: providerType,
  resource: z.string(),
  display_name: z.string(),
  credentials_type: credentialsType,
  specific_attributes: z.string(),
  description: z.string(),
  organization: z.number().nullable(),
});
export type CloudStorageDto = z.infer<typeof cloudStorageReadSchema>;

export function toCloudStorageDto(s: CloudStorageDetails, urls: UrlBuilder): CloudStorageDto {
  return {
    id: s.id,
    owner: basicUser(s.owner, urls),
    manifests: s.manifests,
    created_date: s.created_at.toISOString(),
    updated_date: s.updated_at.toISOString(),
    provider_type: s.provider_type as CloudStorageDto['provider_type'],
    resource: s.resource,
    display_name: s.display_name,
    credentials_type: s.credentials_type as CloudStorageDto['credentials_type'],
    specific_attributes: s.specific_attributes,
    description: s.description,
    organization: s.organization_id,
  };
}

/** S3 lists at most 1000 keys per request; CVAT also cuts page_size down to its maximum. */
export const CONTENT_MAX_PAGE_SIZE = 1000;

export const contentQuerySchema = z.object({
  prefix: z.string().max(1024).optional().describe('List this "directory" (ending in "/") or the names starting with it'),
  next_token: z.string().max(4096).optional().describe('The `next` of the previous page'),
  page_size: z.coerce
    .number({ error: 'must be a positive integer' })
    .int({ error: 'must be a positive integer' })
    .min(1, { error: 'must be a positive integer' })
    .optional()
    .describe(`Entries per page; at most ${CONTENT_MAX_PAGE_SIZE} (larger values are cut down, as CVAT does)`),
  manifest_path: z.string().max(1024).optional().describe('Not supported yet'),
});
export type ContentQuery = z.infer<typeof contentQuerySchema>;

export const fileInfoSchema = z.object({
  name: z.string(),
  type: z.enum(['REG', 'DIR']),
  mime_type: z.string(),
});
export type FileInfo = z.infer<typeof fileInfoSchema>;

export const cloudStorageContentSchema = z.object({
  next: z.string().nullable(),
  content: z.array(fileInfoSchema),
});
export type CloudStorageContent = z.infer<typeof cloudStorageContentSchema>;
