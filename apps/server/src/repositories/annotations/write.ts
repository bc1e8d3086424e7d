/**
 * Writing annotations. Every function takes the transaction of the save it belongs to: a save is
 * one transaction, so a failed or killed save leaves the previous state whole. Ids are taken from
 * the sequences up front, so parents and children (skeleton elements, keyframes, sub-tracks) go
 * in as a few multi-row INSERTs instead of one round trip per object.
 */
import { sql, type Transaction } from 'kysely';
import type { LabeledShape, LabeledTag, LabeledTrack, SubShape, SubTrack, TrackedShape } from '@framewise/core';
import type { DB } from '../../db/schema.js';

type Trx = Transaction<DB>;

/** Rows per INSERT: each column is one array parameter, so the batch is bounded by memory only. */
const BATCH = 10_000;

/** A column of a bulk insert: its PostgreSQL element type, and a cast applied after unnest. */
interface Column {
  name: string;
  type: 'int8' | 'int4' | 'text' | 'float8' | 'bool';
  cast?: 'float8[]' | 'jsonb' | 'timestamptz';
}

const C = (name: string, type: Column['type'], cast?: Column['cast']): Column => ({ name, type, ...(cast ? { cast } : {}) });

const TAG_COLUMNS = [
  C('id', 'int8'), C('job_id', 'int4'), C('frame', 'int4'), C('label_id', 'int4'), C('group', 'int4'), C('source', 'text'),
  C('attributes', 'text', 'jsonb'), C('version', 'int8'), C('created_by', 'int4'), C('created_at', 'text', 'timestamptz'),
  C('updated_by', 'int4'), C('updated_at', 'text', 'timestamptz'),
];
const SHAPE_COLUMNS = [
  C('id', 'int8'), C('job_id', 'int4'), C('parent_id', 'int8'), C('frame', 'int4'), C('label_id', 'int4'), C('type', 'text'),
  C('points', 'text', 'float8[]'), C('rotation', 'float8'), C('occluded', 'bool'), C('outside', 'bool'), C('z_order', 'int4'),
  C('group', 'int4'), C('source', 'text'), C('score', 'float8'), C('attributes', 'text', 'jsonb'), C('version', 'int8'),
  C('created_by', 'int4'), C('created_at', 'text', 'timestamptz'), C('updated_by', 'int4'), C('updated_at', 'text', 'timestamptz'),
];
const TRACK_COLUMNS = [
  C('id', 'int8'), C('job_id', 'int4'), C('parent_id', 'int8'), C('frame', 'int4'), C('label_id', 'int4'), C('group', 'int4'),
  C('source', 'text'), C('attributes', 'text', 'jsonb'), C('version', 'int8'), C('created_by', 'int4'),
  C('created_at', 'text', 'timestamptz'), C('updated_by', 'int4'), C('updated_at', 'text', 'timestamptz'),
];
const KEYFRAME_COLUMNS = [
  C('id', 'int8'), C('track_id', 'int8'), C('frame', 'int4'), C('type', 'text'), C('points', 'text', 'float8[]'),
  C('rotation', 'float8'), C('occluded', 'bool'), C('outside', 'bool'), C('z_order', 'int4'), C('attributes', 'text', 'jsonb'),
];

/**
 * INSERT ... SELECT FROM unnest(one array per column): a 100k-row save is ten statements of a
 * dozen parameters each, instead of millions of bind parameters (measured ~10x faster on PGlite).
 * A column holding one value across the batch (the job, version, author and timestamps always;
 * rotation, flags and source usually) goes as one scalar instead of an array: the server then
 * parses it once, not once per row, which halves the time of a large insert on PGlite.
 * Table and column names come from the constants above, never from a client.
 */
async function insertColumns(trx: Trx, table: string, columns: Column[], rows: Array<Record<string, unknown>>): Promise<void> {
  const names = sql.join(columns.map((c) => sql.ref(c.name)));
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const varying = columns.filter((c) => !sameInAll(batch, c.name));
    const arrays = sql.join(varying.map((c) => sql`${batch.map((r) => r[c.name] ?? null)}::${sql.raw(c.type)}[]`));
    const selected = sql.join(
      columns.map((c) => {
        const value = varying.includes(c) ? sql`u.${sql.ref(c.name)}` : sql`${batch[0]![c.name] ?? null}::${sql.raw(c.type)}`;
        return c.cast ? sql`${value}::${sql.raw(c.cast)}` : value;
      }),
    );
    const from = varying.length ? sql` from unnest(${arrays}) as u(${sql.join(varying.map((c) => sql.ref(c.name)))})` : sql``;
    // Without a varying column (one row, or identical rows) there is nothing to unnest.
    const times = varying.length ? sql`` : sql` from generate_series(1, ${batch.length})`;
    await sql`insert into ${sql.table(table)} (${names}) select ${selected}${from}${times}`.execute(trx);
  }
}

function sameInAll(rows: Array<Record<string, unknown>>, key: string): boolean {
  const first = rows[0]![key];
  for (let i = 1; i < rows.length; i++) if (rows[i]![key] !== first) return false;
  return true;
}

export type AnnotationKind = 'tags' | 'shapes' | 'tracks';

const TABLE: Record<AnnotationKind, 'labeled_tags' | 'labeled_shapes' | 'labeled_tracks'> = {
  tags: 'labeled_tags',
  shapes: 'labeled_shapes',
  tracks: 'labeled_tracks',
};

/** Who created an object and when: kept when an update re-inserts it. */
export interface Authorship {
  by: number | null;
  at: Date;
}

export interface Stamp {
  jobId: number;
  version: number;
  userId: number;
  at: Date;
}

let lastDate: Date | null = null;
let lastIso = '';

/** A timestamp as text; a save stamps every row with one Date, so it is formatted once, not per row. */
function iso(date: Date): string {
  if (date !== lastDate) {
    lastDate = date;
    lastIso = date.toISOString();
  }
  return lastIso;
}

function pgArray(points: number[]): string {
  return `{${points.join(',')}}`;
}

/**
 * Takes `count` ids from the table's sequence. The sequence is looked up once, not per row, and
 * the ids come back as one array: per-row lookups and a row per id made reserving a million ids
 * cost six seconds on PGlite, against half a second so.
 */
async function nextIds(trx: Trx, table: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  const res = await sql<{ ids: Array<number | string> }>`
    select array_agg(nextval(q.seq) order by g) as ids
    from (select pg_get_serial_sequence(${table}, 'id')::regclass as seq) q, generate_series(1, ${count}) g`.execute(trx);
  return res.rows[0]!.ids.map(Number);
}

export async function insertTags(trx: Trx, stamp: Stamp, tags: LabeledTag[]): Promise<number[]> {
  const ids = await nextIds(trx, 'labeled_tags', tags.length);
  tags.forEach((t, i) => (t.id = ids[i]!));
  const rows = tags.map((t, i) => ({
    id: ids[i]!,
    job_id: stamp.jobId,
    frame: t.frame,
    label_id: t.label_id,
    group: t.group,
    source: t.source,
    attributes: JSON.stringify(t.attributes),
    version: stamp.version,
    created_by: stamp.userId,
    created_at: iso(stamp.at),
    updated_by: stamp.userId,
    updated_at: iso(stamp.at),
  }));
  await insertColumns(trx, 'labeled_tags', TAG_COLUMNS, rows);
  return ids;
}

function shapeRow(s: LabeledShape | SubShape, id: number, parentId: number | null, stamp: Stamp, created: Authorship | null) {
  return {
    id,
    job_id: stamp.jobId,
    parent_id: parentId,
    frame: s.frame,
    label_id: s.label_id,
    type: s.type,
    points: pgArray(s.points),
    rotation: s.rotation,
    occluded: s.occluded,
    outside: s.outside,
    z_order: s.z_order,
    group: s.group,
    source: s.source,
    score: s.score,
    attributes: JSON.stringify(s.attributes),
    version: stamp.version,
    created_by: created ? created.by : stamp.userId,
    created_at: iso(created ? created.at : stamp.at),
    updated_by: stamp.userId,
    updated_at: iso(stamp.at),
  };
}

/**
 * Inserts shapes (with their skeleton elements) and writes the ids they got into the objects. `keepIds` reuses the given ids (an update
 * re-inserts an object under its id); `created` keeps the original authorship per id.
 */
export async function insertShapes(
  trx: Trx,
  stamp: Stamp,
  shapes: LabeledShape[],
  options: { keepIds?: boolean; created?: Map<number, Authorship> } = {},
): Promise<number[]> {
  const ids = options.keepIds ? shapes.map((s) => s.id!) : await nextIds(trx, 'labeled_shapes', shapes.length);
  const elementCount = shapes.reduce((n, s) => n + s.elements.length, 0);
  const elementIds = await nextIds(trx, 'labeled_shapes', elementCount);
  const parents = shapes.map((s, i) => shapeRow(s, ids[i]!, null, stamp, options.created?.get(ids[i]!) ?? null));
  const children: ReturnType<typeof shapeRow>[] = [];
  let k = 0;
  shapes.forEach((s, i) => {
    s.id = ids[i]!;
    for (const e of s.elements) {
      e.id = elementIds[k++]!;
      children.push(shapeRow(e, e.id, s.id, stamp, options.created?.get(s.id) ?? null));
    }
  });
  await insertColumns(trx, 'labeled_shapes', SHAPE_COLUMNS, parents);
  await insertColumns(trx, 'labeled_shapes', SHAPE_COLUMNS, children);
  return ids;
}

function keyframeRow(k: TrackedShape, id: number, trackId: number) {
  return {
    id,
    track_id: trackId,
    frame: k.frame,
    type: k.type,
    points: pgArray(k.points),
    rotation: k.rotation,
    occluded: k.occluded,
    outside: k.outside,
    z_order: k.z_order,
    attributes: JSON.stringify(k.attributes),
  };
}

export async function insertTracks(
  trx: Trx,
  stamp: Stamp,
  tracks: LabeledTrack[],
  options: { keepIds?: boolean; created?: Map<number, Authorship> } = {},
): Promise<number[]> {
  const ids = options.keepIds ? tracks.map((t) => t.id!) : await nextIds(trx, 'labeled_tracks', tracks.length);
  const subCount = tracks.reduce((n, t) => n + t.elements.length, 0);
  const subIds = await nextIds(trx, 'labeled_tracks', subCount);
  const trackRow = (t: LabeledTrack | SubTrack, id: number, parentId: number | null, created: Authorship | null) => ({
    id,
    job_id: stamp.jobId,
    parent_id: parentId,
    frame: t.frame,
    label_id: t.label_id,
    group: t.group,
    source: t.source,
    attributes: JSON.stringify(t.attributes),
    version: stamp.version,
    created_by: created ? created.by : stamp.userId,
    created_at: iso(created ? created.at : stamp.at),
    updated_by: stamp.userId,
    updated_at: iso(stamp.at),
  });
  const trackRows: ReturnType<typeof trackRow>[] = [];
  const withKeyframes: Array<{ id: number; shapes: TrackedShape[] }> = [];
  let k = 0;
  tracks.forEach((t, i) => {
    const created = options.created?.get(ids[i]!) ?? null;
    trackRows.push(trackRow(t, ids[i]!, null, created));
    withKeyframes.push({ id: ids[i]!, shapes: t.shapes });
    t.id = ids[i]!;
    for (const e of t.elements) {
      e.id = subIds[k++]!;
      trackRows.push(trackRow(e, e.id, t.id, created));
      withKeyframes.push({ id: e.id, shapes: e.shapes });
    }
  });
  // Parents first: sub-tracks reference them.
  const parentsFirst = [...trackRows.filter((r) => r.parent_id === null), ...trackRows.filter((r) => r.parent_id !== null)];
  await insertColumns(trx, 'labeled_tracks', TRACK_COLUMNS, parentsFirst);
  const keyframeCount = withKeyframes.reduce((n, t) => n + t.shapes.length, 0);
  const keyIds = await nextIds(trx, 'tracked_shapes', keyframeCount);
  const keyRows: ReturnType<typeof keyframeRow>[] = [];
  let j = 0;
  for (const t of withKeyframes) {
    for (const s of t.shapes) {
      s.id = keyIds[j++]!;
      keyRows.push(keyframeRow(s, s.id, t.id));
    }
  }
  await insertColumns(trx, 'tracked_shapes', KEYFRAME_COLUMNS, keyRows);
  return ids;
}

/** Versions of the job's top-level objects with these ids; an id not in the job is absent. */
export async function objectVersions(trx: Trx, kind: AnnotationKind, jobId: number, ids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (ids.length === 0) return out;
  const table = TABLE[kind];
  for (let i = 0; i < ids.length; i += 10_000) {
    const rows = await trx
      .selectFrom(table)
      .select(['id', 'version'])
      .where('job_id', '=', jobId)
      .where('id', 'in', ids.slice(i, i + 10_000))
      .$if(kind !== 'tags', (q) => q.where(sql.ref('parent_id'), 'is', null))
      .execute();
    for (const r of rows) out.set(Number(r.id), Number(r.version));
  }
  return out;
}

/** Who created each object, so an update (delete + re-insert) keeps it. */
export async function creators(trx: Trx, kind: Exclude<AnnotationKind, 'tags'>, ids: number[]): Promise<Map<number, Authorship>> {
  const out = new Map<number, Authorship>();
  if (ids.length === 0) return out;
  const rows = await trx.selectFrom(TABLE[kind]).select(['id', 'created_by', 'created_at']).where('id', 'in', ids).execute();
  for (const r of rows) out.set(Number(r.id), { by: r.created_by, at: r.created_at });
  return out;
}

export async function deleteObjects(trx: Trx, kind: AnnotationKind, jobId: number, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 10_000) {
    await trx.deleteFrom(TABLE[kind]).where('job_id', '=', jobId).where('id', 'in', ids.slice(i, i + 10_000)).execute();
  }
}

export async function updateTags(trx: Trx, stamp: Stamp, tags: LabeledTag[]): Promise<void> {
  for (const t of tags) {
    await trx
      .updateTable('labeled_tags')
      .set({
        frame: t.frame,
        label_id: t.label_id,
        group: t.group,
        source: t.source,
        attributes: JSON.stringify(t.attributes),
        version: stamp.version,
        updated_by: stamp.userId,
        updated_at: stamp.at,
      })
      .where('id', '=', t.id!)
      .where('job_id', '=', stamp.jobId)
      .execute();
  }
}

export async function clearJob(trx: Trx, jobId: number): Promise<void> {
  await trx.deleteFrom('labeled_tags').where('job_id', '=', jobId).execute();
  await trx.deleteFrom('labeled_shapes').where('job_id', '=', jobId).execute();
  await trx.deleteFrom('labeled_tracks').where('job_id', '=', jobId).execute();
}

/** Locks the job's row for the save and returns its current annotation version. */
export async function lockJob(trx: Trx, jobId: number): Promise<number> {
  const row = await trx.selectFrom('jobs').select('version').where('id', '=', jobId).forUpdate().executeTakeFirstOrThrow();
  return Number(row.version);
}

export async function setJobVersion(trx: Trx, jobId: number, version: number, at: Date): Promise<void> {
  await trx.updateTable('jobs').set({ version, updated_at: at }).where('id', '=', jobId).execute();
}

export async function logChange(trx: Trx, stamp: Stamp, action: string, summary: Record<string, unknown>): Promise<void> {
  await trx
    .insertInto('annotation_changes')
    .values({ job_id: stamp.jobId, version: stamp.version, user_id: stamp.userId, at: stamp.at, action, summary: JSON.stringify(summary) })
    .execute();
}
