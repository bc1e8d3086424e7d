/**
 * One SQL layer for both backends: Kysely over PGlite (embedded) or pg (PostgreSQL server).
 * Repositories only ever see `Db`; which engine is underneath is decided here, once.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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
    // An idle connection the server drops (failover, restart, an admin's terminate) must not crash
    // the process: the pool discards it and the next query opens a new one.
    pool.on('error', () => undefined);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, driver: 'postgres', connectionString: config.url, close: () => db.destroy() };
  }
  const releaseLock = config.dataDir ? lockDataDir(config.dataDir) : () => {};
  const pglite = await openPGlite(config.dataDir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    driver: 'pglite',
    connectionString: undefined,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        releaseLock();
      }
    },
  };
}

/**
 * PGlite's WASM heap never shrinks, and creating a cluster (initdb) touches ~800 MB of it; a
 * reopened cluster with 32 MB of shared buffers idles near 200 MB. So a new cluster is created by
 * a short-lived child process, and shared_buffers is sized for one team's working set (the OS
 * page cache still holds the rest of the files).
 */
async function openPGlite(dataDir: string | null): Promise<PGlite> {
  // PGlite reads int8 as bigint; keep one JS type for ids and counts across backends.
  const parsers = { [pgliteTypes.INT8]: (v: string) => Number(v) };
  const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];
  const open = async () => {
    const db = new PGlite({ ...(dataDir ? { dataDir } : {}), parsers, startParams });
    await db.waitReady;
    return db;
  };
  if (dataDir && !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const initScript = fileURLToPath(new URL('./pglite-init.js', import.meta.url));
    if (fs.existsSync(initScript)) {
      await promisify(execFile)(process.execPath, [initScript, dataDir]);
    } else {
      // Running from TypeScript sources (tests, tsx): no compiled script to spawn.
      await (await open()).close();
    }
  }
  return open();
}

/**
 * The embedded database is one process's: a second server or a CLI opening the same directory
 * would corrupt it. A pid file refuses that, and is taken over when its process is gone.
 */
function lockDataDir(dir: string): () => void {
  // Beside the cluster directory, not in it: initdb wants an empty directory.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const file = `${dir.replace(/\/+$/, '')}.pid`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`the database in ${dir} is in use by process ${pid} (a running Framewise server?); stop it first`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Runs `read` on one consistent view of the data (see snapshotReader). */
export type ReadSnapshot = <T>(read: (db: Db) => Promise<T>) => Promise<T>;

/**
 * Long reads (exports, backups) that must see one state of the data: on PostgreSQL, a read-only
 * repeatable-read transaction on a connection of its own, however long the read. PGlite is one
 * session whose transactions are serialized: holding it for a long export would stall every other
 * request, so there the read runs statement by statement (each statement, e.g. one window of
 * frames, is consistent in itself).
 */
export function snapshotReader(database: Database): ReadSnapshot {
  if (database.driver === 'postgres') {
    return (read) => database.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
  }
  return (read) => read(database.db);
}
