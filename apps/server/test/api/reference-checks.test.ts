import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { LabeledShape } from '@framewise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { ReferenceChecks } from '../../src/repositories/annotations/references.js';
import { insertShapes, lockJob } from '../../src/repositories/annotations/write.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { testBackend } from '../helpers/database.js';
import { createTaskWithImages, makeImage } from '../helpers/media.js';

let s: TestServer;
let jobId: number;
let labelId: number;
let userId: number;

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  const files = await Promise.all([0, 1].map(async (i) => ({ name: `f${i}.png`, data: await makeImage(40, 30, 'png', i) })));
  const { taskId } = await createTaskWithImages(s.admin, files, { labels: [{ name: 'car' }, { name: 'person' }] });
  jobId = (await s.admin.get(`/api/jobs?task_id=${taskId}`)).body.results[0].id;
  labelId = (await s.admin.get(`/api/labels?task_id=${taskId}`)).body.results.find((l: { name: string }) => l.name === 'car').id;
  userId = (await s.admin.get('/api/users/self')).body.id;
});

afterAll(() => s.close());

const box = (label: number): LabeledShape => ({
  frame: 0, label_id: label, group: 0, source: 'manual', attributes: [], type: 'rectangle', points: [0, 0, 1, 1],
  rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [],
});

describe('reference checks of annotation saves', () => {
  it('check once where the session may turn per-row triggers off, per row for a plain PostgreSQL role', async () => {
    const { db, driver } = s.ctx.database;
    // PGlite is one session; the PostgreSQL of the tests is reached as its superuser.
    expect(await ReferenceChecks.modeFor(db, driver)).toBe('once');
    if (testBackend() !== 'postgres') return;
    const url = new URL((s.config.database as { url: string }).url);
    const role = `fw_plain_${process.pid}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`create role ${role} login`);
    url.username = role;
    const plain = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }) });
    try {
      expect(await ReferenceChecks.modeFor(plain, 'postgres')).toBe('per-row');
    } finally {
      await plain.destroy();
      await admin.query(`drop role ${role}`);
      await admin.end();
    }
  });

  it.skipIf(testBackend() !== 'postgres')('a label deleted while a save holds it waits for the save, then takes its objects along', async () => {
    const { db } = s.ctx.database;
    const checks = new ReferenceChecks('once');
    let inserted!: () => void;
    const holding = new Promise<void>((r) => (inserted = r));
    let commit!: () => void;
    const released = new Promise<void>((r) => (commit = r));
    const saving = db.transaction().execute(async (trx) => {
      const version = (await lockJob(trx, jobId)) + 1;
      const stamp = { jobId, version, userId, at: new Date() };
      await checks.inserting(trx, { tags: [], shapes: [box(labelId)], tracks: [] }, userId, () => insertShapes(trx, stamp, [box(labelId)]));
      inserted();
      await released;
    });
    await holding;
    let deleted = false;
    const deleting = db.deleteFrom('labels').where('id', '=', labelId).execute().then(() => (deleted = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(deleted).toBe(false);
    commit();
    await saving;
    await deleting;
    const left = await db.selectFrom('labeled_shapes').select('id').where('label_id', '=', labelId).execute();
    expect(left).toEqual([]);
  });
});
