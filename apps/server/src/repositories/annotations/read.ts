/**
 * Reading a job's annotations as CVAT's JSON, built by PostgreSQL itself: json_agg over the rows
 * gives the response text without materializing 100k objects in JavaScript. Child rows (skeleton
 * elements, keyframes, sub-tracks) are aggregated per parent in CTEs and hash-joined, not looked
 * up per row.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';

/** Adds who created and last changed an object, when the client asks for provenance. */
function provenance(alias: string, on: boolean): RawBuilder<unknown> {
  if (!on) return sql``;
  const r = (c: string) => sql.ref(`${alias}.${c}`);
  return sql`, 'created_by', ${r('created_by')}, 'created_date', ${r('created_at')}, 'updated_by', ${r('updated_by')}, 'updated_date', ${r('updated_at')}, 'object_version', ${r('version')}`;
}

export async function readTagsJson(db: Db, jobId: number, withProvenance = false): Promise<string> {
  const res = await sql<{ json: string }>`
    select coalesce(json_agg(json_build_object(
      'id', t.id, 'frame', t.frame, 'label_id', t.label_id, 'group', t."group", 'source', t.source,
      'attributes', t.attributes ${provenance('t', withProvenance)}) order by t.id), '[]'::json)::text as json
    from labeled_tags t where t.job_id = ${jobId}`.execute(db);
  return res.rows[0]?.json ?? '[]';
}

export async function readShapesJson(db: Db, jobId: number, withProvenance = false): Promise<string> {
  const res = await sql<{ json: string }>`
    with el as (
      select e.parent_id, json_agg(json_build_object(
        'id', e.id, 'type', e.type, 'frame', e.frame, 'label_id', e.label_id, 'group', e."group",
        'source', e.source, 'occluded', e.occluded, 'outside', e.outside, 'z_order', e.z_order,
        'rotation', e.rotation, 'points', e.points, 'attributes', e.attributes, 'score', e.score
        ${provenance('e', withProvenance)}) order by e.id) as elements
      from labeled_shapes e where e.job_id = ${jobId} and e.parent_id is not null group by e.parent_id
    )
    select coalesce(json_agg(json_build_object(
      'id', s.id, 'type', s.type, 'frame', s.frame, 'label_id', s.label_id, 'group', s."group",
      'source', s.source, 'occluded', s.occluded, 'outside', s.outside, 'z_order', s.z_order,
      'rotation', s.rotation, 'points', s.points, 'attributes', s.attributes, 'score', s.score,
      'elements', coalesce(el.elements, '[]'::json) ${provenance('s', withProvenance)}) order by s.id), '[]'::json)::text as json
    from labeled_shapes s left join el on el.parent_id = s.id
    where s.job_id = ${jobId} and s.parent_id is null`.execute(db);
  return res.rows[0]?.json ?? '[]';
}

export async function readTracksJson(db: Db, jobId: number, withProvenance = false): Promise<string> {
  const res = await sql<{ json: string }>`
    with ks as (
      select k.track_id, json_agg(json_build_object(
        'id', k.id, 'type', k.type, 'frame', k.frame, 'points', k.points, 'rotation', k.rotation,
        'occluded', k.occluded, 'outside', k.outside, 'z_order', k.z_order, 'attributes', k.attributes
      ) order by k.frame) as shapes
      from tracked_shapes k join labeled_tracks kt on kt.id = k.track_id
      where kt.job_id = ${jobId} group by k.track_id
    ), sub as (
      select c.parent_id, json_agg(json_build_object(
        'id', c.id, 'frame', c.frame, 'label_id', c.label_id, 'group', c."group", 'source', c.source,
        'attributes', c.attributes, 'shapes', coalesce(ks.shapes, '[]'::json)
        ${provenance('c', withProvenance)}) order by c.id) as elements
      from labeled_tracks c left join ks on ks.track_id = c.id
      where c.job_id = ${jobId} and c.parent_id is not null group by c.parent_id
    )
    select coalesce(json_agg(json_build_object(
      'id', t.id, 'frame', t.frame, 'label_id', t.label_id, 'group', t."group", 'source', t.source,
      'attributes', t.attributes, 'shapes', coalesce(ks.shapes, '[]'::json),
      'elements', coalesce(sub.elements, '[]'::json) ${provenance('t', withProvenance)}) order by t.id), '[]'::json)::text as json
    from labeled_tracks t left join ks on ks.track_id = t.id left join sub on sub.parent_id = t.id
    where t.job_id = ${jobId} and t.parent_id is null`.execute(db);
  return res.rows[0]?.json ?? '[]';
}

/** `{version, tags, shapes, tracks}` of a job as JSON text. Run inside one transaction for a consistent snapshot. */
export async function readJobJson(db: Db, jobId: number, version: number, withProvenance = false): Promise<string> {
  const tags = await readTagsJson(db, jobId, withProvenance);
  const shapes = await readShapesJson(db, jobId, withProvenance);
  const tracks = await readTracksJson(db, jobId, withProvenance);
  return `{"version":${version},"tags":${tags},"shapes":${shapes},"tracks":${tracks}}`;
}
