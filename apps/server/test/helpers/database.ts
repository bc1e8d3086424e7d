/**
 * Test databases. PGlite: a fresh in-memory instance per app. PostgreSQL: a fresh database per
 * app on the server at FRAMEWISE_TEST_PG_URL (default 127.0.0.1:5432, trust auth), dropped after.
 * A missing PostgreSQL is an error, never a skip: CI must prove both backends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/env.js';

export type TestBackend = 'pglite' | 'postgres';

export function testBackend(): TestBackend {
  return process.env.FRAMEWISE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

const ADMIN_URL = process.env.FRAMEWISE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (start it: pg_ctlcluster 15 main start): ${String(e)}`);
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(backend = testBackend()): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (backend === 'pglite') return { config: { driver: 'pglite', dataDir: null }, drop: async () => {} };
  const name = `fw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    config: { driver: 'postgres', url: withDatabase(ADMIN_URL, name), poolSize: 5 },
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}
