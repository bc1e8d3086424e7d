/**
 * One migration history for both backends. Kysely's Migrator takes a row lock on its lock table
 * inside a transaction, so when several instances boot against one PostgreSQL at once, exactly
 * one applies the migrations and the others wait and then find nothing to do.
 */
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import * as m0001 from './migrations/0001_core.js';
import * as m0002 from './migrations/0002_tus_targets.js';
import * as m0003 from './migrations/0003_worker_instances.js';
import * as m0004 from './migrations/0004_annotations.js';
import * as m0005 from './migrations/0005_cloud_storages.js';
import * as m0006 from './migrations/0006_derived_cache.js';
import * as m0007 from './migrations/0007_task_cloud_storage.js';
import * as m0008 from './migrations/0008_task_videos.js';
import * as m0009 from './migrations/0009_accounts.js';
import * as m0010 from './migrations/0010_sso.js';
import * as m0011 from './migrations/0011_organizations.js';
import * as m0012 from './migrations/0012_membership_source.js';
import * as m0013 from './migrations/0013_validation.js';
import * as m0014 from './migrations/0014_quality.js';
import * as m0015 from './migrations/0015_consensus.js';

const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_tus_targets': m0002,
  '0003_worker_instances': m0003,
  '0004_annotations': m0004,
  '0005_cloud_storages': m0005,
  '0006_derived_cache': m0006,
  '0007_task_cloud_storage': m0007,
  '0008_task_videos': m0008,
  '0009_accounts': m0009,
  '0010_sso': m0010,
  '0011_organizations': m0011,
  '0012_membership_source': m0012,
  '0013_validation': m0013,
  '0014_quality': m0014,
  '0015_consensus': m0015,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
