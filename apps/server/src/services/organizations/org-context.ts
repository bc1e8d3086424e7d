/**
 * Which organization a request works in, read as CVAT's clients send it: the X-Organization
 * header (a slug), or `org` (a slug) or `org_id` in the query. An empty value is the personal
 * workspace. Naming an organization one does not belong to answers 404, the same as one that
 * does not exist, so slugs cannot be probed; an administrator may work in any.
 */
import { AppError } from '../../errors.js';
import type { OrganizationRepository } from '../../repositories/organization.repository.js';
import { isAdmin, type Auth, type OrgScope } from '../auth/auth.js';

/** What the request named: a slug, an id, null for the personal workspace, undefined for nothing. */
export type OrgRef = { slug: string } | { id: number } | null | undefined;

/** Lookups are remembered as briefly as tokens are (auth.service.ts): frames come tens a second. */
const CACHE_MS = 2000;
const CACHE_MAX = 10_000;

export function orgRefOf(header: string | string[] | undefined, query: unknown): OrgRef {
  const q = (query ?? {}) as Record<string, unknown>;
  const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const h = first(header);
  if (typeof h === 'string') return h.trim() === '' ? null : { slug: h.trim() };
  const slug = first(q.org);
  if (typeof slug === 'string') return slug.trim() === '' ? null : { slug: slug.trim() };
  const id = first(q.org_id);
  if (typeof id === 'string' || typeof id === 'number') {
    const text = String(id).trim();
    if (text === '') return null;
    if (!/^\d{1,9}$/.test(text)) throw AppError.invalid('org_id', 'must be an organization id');
    return { id: Number(text) };
  }
  return undefined;
}

export class OrgContext {
  private readonly recent = new Map<string, { scope: OrgScope; until: number }>();

  constructor(private readonly orgs: OrganizationRepository) {}

  async resolve(auth: Auth, ref: OrgRef): Promise<OrgScope | null | undefined> {
    if (ref === undefined || ref === null) return ref;
    const key = `${auth.user.id}:${'slug' in ref ? `s:${ref.slug.toLowerCase()}` : `i:${ref.id}`}`;
    const now = Date.now();
    const hit = this.recent.get(key);
    if (hit && hit.until > now) return hit.scope;
    const found = await this.orgs.findScope(auth.user.id, ref);
    if (!found || (found.role === null && !isAdmin(auth))) {
      throw AppError.notFound('organization', 'slug' in ref ? `"${ref.slug}"` : ref.id);
    }
    if (this.recent.size >= CACHE_MAX) this.recent.clear();
    this.recent.set(key, { scope: found, until: now + CACHE_MS });
    return found;
  }

  /** Forgets cached scopes at once on this instance, after a membership or organization changes. */
  forget(): void {
    this.recent.clear();
  }
}
