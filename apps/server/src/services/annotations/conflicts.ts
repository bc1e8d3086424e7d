import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { objectVersions, type AnnotationKind } from '../../repositories/annotations/write.js';

export type ChangedIds = Record<AnnotationKind, number[]>;

const KINDS: AnnotationKind[] = ['tags', 'shapes', 'tracks'];
const TABLES = { tags: 'labeled_tags', shapes: 'labeled_shapes', tracks: 'labeled_tracks' } as const;

/**
 * The base version a client says its change is built on: `If-Match` (a version, quoted or not)
 * or the body's `version`. Clients that send neither (CVAT's SDK) get CVAT's last-write-wins.
 * A body `version` of 0 counts as none: CVAT's payloads carry 0 whatever the state (its server
 * never moves it), so reading 0 as "based on the empty job" would refuse their every save.
 */
export function baseVersionOf(ifMatch: string | undefined, bodyVersion: unknown): number | undefined {
  if (ifMatch !== undefined && ifMatch !== '*') {
    const v = Number(ifMatch.replace(/^W\//, '').replaceAll('"', '').trim());
    if (!Number.isInteger(v) || v < 0) throw AppError.invalid('If-Match', 'must be the annotation version the change is based on');
    return v;
  }
  if (bodyVersion === undefined || bodyVersion === null || bodyVersion === 0) return undefined;
  const v = Number(bodyVersion);
  if (!Number.isInteger(v) || v < 0) throw AppError.invalid('version', 'must be a non-negative integer');
  return v;
}

function conflict(base: number, current: number, changed: ChangedIds, what: string): AppError {
  const n = changed.tags.length + changed.shapes.length + changed.tracks.length;
  return new AppError(
    'CONFLICT',
    `${what} changed since version ${base} (now ${current}): ${n} object(s) were saved by someone else; reload them, then apply your change again`,
    [],
    { version: current, base_version: base, changed },
  );
}

/** For PUT and clear: anything saved after the base version is in the way. */
export async function checkWholeJob(trx: Transaction<DB>, jobId: number, base: number, current: number): Promise<void> {
  if (base >= current) return;
  const changed: ChangedIds = { tags: [], shapes: [], tracks: [] };
  for (const kind of KINDS) {
    const rows = await trx
      .selectFrom(TABLES[kind])
      .select('id')
      .where('job_id', '=', jobId)
      .where('version', '>', base)
      .$if(kind !== 'tags', (q) => q.where(sql.ref('parent_id'), 'is', null))
      .execute();
    changed[kind] = rows.map((r) => Number(r.id));
  }
  const removed = await trx
    .selectFrom('annotation_changes')
    .select('id')
    .where('job_id', '=', jobId)
    .where('version', '>', base)
    .where('action', 'in', ['delete', 'put', 'clear'])
    .executeTakeFirst();
  if (changed.tags.length + changed.shapes.length + changed.tracks.length > 0 || removed) {
    throw conflict(base, current, changed, `job ${jobId}`);
  }
}

/**
 * For PATCH update/delete: only the objects the request touches matter; a save by someone else
 * to other objects of the job is no conflict. Returns the versions found (absent = not in job).
 */
export async function checkObjects(
  trx: Transaction<DB>,
  jobId: number,
  ids: Record<AnnotationKind, number[]>,
  base: number | undefined,
  current: number,
  /** An update of an object someone deleted conflicts; deleting it again does not. */
  missingConflicts: boolean,
): Promise<Record<AnnotationKind, Map<number, number>>> {
  const found = {} as Record<AnnotationKind, Map<number, number>>;
  const changed: ChangedIds = { tags: [], shapes: [], tracks: [] };
  for (const kind of KINDS) {
    found[kind] = await objectVersions(trx, kind, jobId, ids[kind]);
    if (base !== undefined) {
      for (const id of ids[kind]) {
        const v = found[kind].get(id);
        // Missing: deleted by someone else after the base version, or never here.
        if (v === undefined ? missingConflicts && base < current : v > base) changed[kind].push(id);
      }
    }
  }
  if (base !== undefined && changed.tags.length + changed.shapes.length + changed.tracks.length > 0) {
    throw conflict(base, current, changed, 'objects');
  }
  return found;
}
