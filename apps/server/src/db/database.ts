/**
 * One SQL layer for both backends: Kysely over PGlite (embedded) or pg (PostgreSQL server).
 * Repositories only ever see `Db`; which engine is underneath is decided here, once.
 */
import fs from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/env.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  driver: DatabaseConfig['driver'];
  /** For pg-boss: the server's connection string, or undefined on PGlite (use executeSql). */
  connectionString: string | undefined;
  close(): Promise<void>;
}

// COUNT(*) and bigint columns come back as strings from pg by default; every bigint this schema
// holds (byte sizes, versions) is far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.driver === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, driver: 'postgres', connectionString: config.url, close: () => db.destroy() };
  }
  if (config.dataDir) fs.mkdirSync(config.dataDir, { recursive: true });
  // PGlite reads int8 as bigint; keep one JS type for ids and counts across backends.
  const parsers = { [pgliteTypes.INT8]: (v: string) => Number(v) };
  const pglite = new PGlite({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), parsers });
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, driver: 'pglite', connectionString: undefined, close: () => db.destroy() };
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
