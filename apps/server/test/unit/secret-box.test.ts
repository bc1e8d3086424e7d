import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSecretBox, SecretBox } from '../../src/repositories/secret-box.js';
import { parseSpecificAttributes } from '../../src/services/cloud-storage.service.js';

const KEY = 'unit-test-secret-key-0123456789abcdefghij';

describe('SecretBox', () => {
  const box = new SecretBox(KEY, 'FRAMEWISE_SECRET_KEY');

  it('opens what it sealed, with a fresh nonce every time', () => {
    const a = box.seal('{"secret_key":"s3cr3t"}', 'cloud_storages:1');
    const b = box.seal('{"secret_key":"s3cr3t"}', 'cloud_storages:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(box.open(a, 'cloud_storages:1')).toBe('{"secret_key":"s3cr3t"}');
    expect(box.open(b, 'cloud_storages:1')).toBe('{"secret_key":"s3cr3t"}');
  });

  it('refuses another key, another place, an altered or a foreign value', () => {
    const sealed = box.seal('secret', 'cloud_storages:1');
    expect(() => new SecretBox(`${KEY}-other`, 'FRAMEWISE_SECRET_KEY').open(sealed, 'cloud_storages:1')).toThrow(
      /sealed with another key than the current FRAMEWISE_SECRET_KEY, or altered/,
    );
    expect(() => box.open(sealed, 'cloud_storages:2')).toThrow(/another key|altered/);
    const raw = Buffer.from(sealed.slice(4), 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => box.open(`fw1.${raw.toString('base64url')}`, 'cloud_storages:1')).toThrow(/altered/);
    expect(() => box.open('plaintext', 'cloud_storages:1')).toThrow(/unknown format/);
    expect(() => box.open('fw1.AAAA', 'cloud_storages:1')).toThrow(/truncated/);
  });

  it('keeps the key out of JSON and inspection', async () => {
    const { inspect } = await import('node:util');
    expect(JSON.stringify(box)).not.toContain(KEY);
    expect(inspect(box, { showHidden: true })).not.toMatch(/[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}/);
  });
});

describe('openSecretBox', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-secret-'));
    dirs.push(d);
    return path.join(d, 'data');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('uses the configured key and writes no file', async () => {
    const dataDir = tempDir();
    const box = await openSecretBox({ secretKey: KEY, dataDir, mayGenerate: true });
    expect(box?.source).toBe('FRAMEWISE_SECRET_KEY');
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false);
  });

  it('generates a key once (0600) and opens with it after a restart', async () => {
    const dataDir = tempDir();
    const first = await openSecretBox({ secretKey: undefined, dataDir, mayGenerate: true });
    const file = path.join(dataDir, 'secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(file, 'utf8');
    const sealed = first!.seal('secret', 'x');
    const second = await openSecretBox({ secretKey: undefined, dataDir, mayGenerate: true });
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(second!.source).toBe('secret.key');
    expect(second!.open(sealed, 'x')).toBe('secret');
  });

  it('gives none when no key is configured and none may be generated (PostgreSQL)', async () => {
    const dataDir = tempDir();
    expect(await openSecretBox({ secretKey: undefined, dataDir, mayGenerate: false })).toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false);
  });
});

describe('parseSpecificAttributes', () => {
  it("reads CVAT's query string", () => {
    expect(parseSpecificAttributes('')).toEqual({ region: undefined, endpointUrl: undefined, prefix: '', forcePathStyle: false, originalDelivery: 'proxy' });
    expect(parseSpecificAttributes('region=eu-central-1')).toMatchObject({ region: 'eu-central-1', forcePathStyle: false });
    expect(parseSpecificAttributes('endpoint_url=http%3A%2F%2Fminio%3A9000&prefix=%2Fdata%2Fset%2F')).toEqual({
      region: undefined,
      endpointUrl: 'http://minio:9000',
      prefix: 'data/set/',
      forcePathStyle: true,
      originalDelivery: 'proxy',
    });
    expect(parseSpecificAttributes('endpoint_url=https%3A%2F%2Fr2.example&force_path_style=false').forcePathStyle).toBe(false);
    expect(parseSpecificAttributes('original_delivery=redirect').originalDelivery).toBe('redirect');
    expect(() => parseSpecificAttributes('original_delivery=teleport')).toThrow(/original_delivery/);
  });

  it('refuses what it does not know or cannot use', () => {
    for (const [text, message] of [
      ['endpoint=http%3A%2F%2Fx', /unknown attribute "endpoint"/],
      ['region', /not name=value/],
      ['region=a&region=b', /given twice/],
      ['region=eu central', /not a region name/],
      ['endpoint_url=minio', /not a URL/],
      ['endpoint_url=http%3A%2F%2Fa%3Ab%40minio', /must not contain credentials/],
      ['force_path_style=maybe', /true or false/],
      ['prefix=a%2F..%2Fb', /"\.\."/],
    ] as const) {
      expect(() => parseSpecificAttributes(text), text).toThrow(message);
    }
  });
});
