/**
 * Reading a job's annotations as CVAT's JSON, built by PostgreSQL itself: json_agg over rows
 * gives the response text without materializing 100k objects in JavaScript (row_to_json of a
 * sub-select measured ~35% faster than json_build_object on PGlite). Child rows (skeleton
 * elements, keyframes, sub-tracks) are aggregated per parent in CTEs (ordered inside the
 * aggregate: a grouping sort need not keep the sub-select's order) and hash-joined.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';

/** Who created and last changed an object, when the client asks for provenance. */
function provenance(alias: string, on: boolean): RawBuilder<unknown> {
  if (!on) return sql``;
  const r = (c: string) => sql.ref(`${alias}.${c}`);
  return sql`, ${r('created_by')} as created_by, ${r('created_at')} as created_date, ${r('updated_by')} as updated_by, ${r('updated_at')} as updated_date, ${r('version')} as object_version`;
}

/** Frames from..to, inclusive: a window of a large job, read a part at a time. */
export interface FrameWindow {
  from: number;
  to: number;
}

function inWindow(alias: string, window: FrameWindow | undefined): RawBuilder<unknown> {
  return window ? sql` and ${sql.ref(`${alias}.frame`)} between ${window.from} and ${window.to}` : sql``;
}

async function one(db: Db, query: RawBuilder<{ json: string }>): Promise<string> {
  const res = await query.execute(db);
  return res.rows[0]?.json ?? '[]';
}

export function readTagsJson(db: Db, jobId: number, withProvenance = false, window?: FrameWindow): Promise<string> {
  return one(
    db,
    sql<{ json: string }>`
      select coalesce(json_agg(r), '[]'::json)::text as json from (
        select t.id, t.frame, t.label_id, t."group", t.source, t.attributes ${provenance('t', withProvenance)}
        from labeled_tags t where t.job_id = ${jobId}${inWindow('t', window)} order by t.id) r`,
  );
}

export function readShapesJson(db: Db, jobId: number, withProvenance = false): Promise<string> {
  return one(
    db,
    sql<{ json: string }>`
      with el as (
        select r.parent_id, json_agg(r.o order by r.id) as elements from (
          select e.parent_id, e.id, (select row_to_json(x) from (select e.id, e.type, e.frame, e.label_id, e."group", e.source,
            e.occluded, e.outside, e.z_order, e.rotation, e.points, e.attributes, e.score ${provenance('e', withProvenance)}) x) as o
          from labeled_shapes e where e.job_id = ${jobId} and e.parent_id is not null) r
        group by r.parent_id
      )
      select coalesce(json_agg(r), '[]'::json)::text as json from (
        select s.id, s.type, s.frame, s.label_id, s."group", s.source, s.occluded, s.outside, s.z_order, s.rotation,
          s.points, s.attributes, s.score, coalesce(el.elements, '[]'::json) as elements ${provenance('s', withProvenance)}
        from labeled_shapes s left join el on el.parent_id = s.id
        where s.job_id = ${jobId} and s.parent_id is null order by s.id) r`,
  );
}

export function readTracksJson(db: Db, jobId: number, withProvenance = false): Promise<string> {
  return one(
    db,
    sql<{ json: string }>`
      with ks as (
        select r.track_id, json_agg(r.o order by r.frame) as shapes from (
          select k.track_id, k.frame, (select row_to_json(x) from (select k.id, k.type, k.frame, k.points, k.rotation, k.occluded,
            k.outside, k.z_order, k.attributes) x) as o
          from tracked_shapes k join labeled_tracks kt on kt.id = k.track_id
          where kt.job_id = ${jobId}) r
        group by r.track_id
      ), sub as (
        select r.parent_id, json_agg(r.o order by r.id) as elements from (
          select c.parent_id, c.id, (select row_to_json(x) from (select c.id, c.frame, c.label_id, c."group", c.source, c.attributes,
            coalesce(ks.shapes, '[]'::json) as shapes ${provenance('c', withProvenance)}) x) as o
          from labeled_tracks c left join ks on ks.track_id = c.id
          where c.job_id = ${jobId} and c.parent_id is not null) r
        group by r.parent_id
      )
      select coalesce(json_agg(r), '[]'::json)::text as json from (
        select t.id, t.frame, t.label_id, t."group", t.source, t.attributes, coalesce(ks.shapes, '[]'::json) as shapes,
          coalesce(sub.elements, '[]'::json) as elements ${provenance('t', withProvenance)}
        from labeled_tracks t left join ks on ks.track_id = t.id left join sub on sub.parent_id = t.id
        where t.job_id = ${jobId} and t.parent_id is null order by t.id) r`,
  );
}

/** `{version, tags, shapes, tracks}` of a job as JSON text. Run inside one transaction for a consistent snapshot. */
export async function readJobJson(db: Db, jobId: number, version: number, withProvenance = false): Promise<string> {
  const tags = await readTagsJson(db, jobId, withProvenance);
  const shapes = await readShapesJson(db, jobId, withProvenance);
  const tracks = await readTracksJson(db, jobId, withProvenance);
  // CVAT answers with `intervals` (audio annotations) on every job; Framewise has no audio tasks.
  return `{"version":${version},"tags":${tags},"shapes":${shapes},"tracks":${tracks},"intervals":[]}`;
}

/**
 * A job's shapes on the frames of `window` for an export: JSON arrays of [frame, label_id, type,
 * group, source, occluded, outside, z_order, rotation, points, attributes, score, elements], no
 * ids or provenance. Keyless arrays are about a third cheaper for PostgreSQL to build and for
 * JSON.parse to read than row objects, which matters at a million shapes (on PGlite the
 * database runs on the server's own thread). A skeleton's elements are tuples without the last
 * column; `withElements` false (no skeleton labels) skips looking for them.
 */
export function readShapeTuplesJson(db: Db, jobId: number, window: FrameWindow, withElements: boolean): Promise<string> {
  const tuple = (a: string) => {
    const r = (c: string) => sql.ref(`${a}.${c}`);
    return sql`${r('frame')}, ${r('label_id')}, ${r('type')}, ${r('group')}, ${r('source')}, ${r('occluded')}, ${r('outside')}, ${r('z_order')}, ${r('rotation')}, ${r('points')}, ${r('attributes')}, ${r('score')}`;
  };
  if (!withElements) {
    return one(
      db,
      sql<{ json: string }>`
        select coalesce(json_agg(json_build_array(${tuple('s')}, null) order by s.id), '[]'::json)::text as json
        from labeled_shapes s where s.job_id = ${jobId} and s.parent_id is null${inWindow('s', window)}`,
    );
  }
  return one(
    db,
    sql<{ json: string }>`
      with el as (
        select e.parent_id, json_agg(json_build_array(${tuple('e')}) order by e.id) as elements
        from labeled_shapes e where e.job_id = ${jobId} and e.parent_id is not null${inWindow('e', window)}
        group by e.parent_id
      )
      select coalesce(json_agg(json_build_array(${tuple('s')}, el.elements) order by s.id), '[]'::json)::text as json
      from labeled_shapes s left join el on el.parent_id = s.id
      where s.job_id = ${jobId} and s.parent_id is null${inWindow('s', window)}`,
  );
}
