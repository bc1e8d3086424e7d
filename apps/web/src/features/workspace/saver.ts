/**
 * Saving a job's annotations: the editor's differences since the last save go to the server as
 * CVAT's PATCH ?action=create|update|delete, each based on the version the editor last saw
 * (If-Match), so a save can never silently undo what someone else saved meanwhile: the server
 * answers 409 and the workspace asks the user what to do. Overwriting sends the same changes
 * without a base version (CVAT's last-write-wins).
 */
import { ApiError, request } from '../../api/client';
import type { ChangeBatch, ChangeSet, CvatShape, CvatTag } from '../../editor/cvat';
import type { Editor } from '../../editor/editor';

export interface SaveAnswer {
  version: number;
  shapes: CvatShape[];
  tags: CvatTag[];
  tracks: unknown[];
}

export class ConflictError extends Error {
  constructor(
    readonly serverVersion: number,
    /** Objects others changed since our base, by kind, as the server lists them. */
    readonly changed: { tags: number[]; shapes: number[]; tracks: number[] },
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

function isEmpty(b: ChangeBatch): boolean {
  return b.shapes.length === 0 && b.tags.length === 0;
}

async function patch(jobId: number, action: 'create' | 'update' | 'delete', batch: ChangeBatch, base: number | null): Promise<SaveAnswer> {
  try {
    const { data } = await request<SaveAnswer>('PATCH', `/api/jobs/${jobId}/annotations`, {
      query: { action },
      json: { shapes: batch.shapes, tags: batch.tags, tracks: [] },
      headers: base === null ? {} : { 'If-Match': `"${base}"` },
    });
    return data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      const d = e.body as { version?: number; changed?: ConflictError['changed'] };
      throw new ConflictError(d.version ?? -1, d.changed ?? { tags: [], shapes: [], tracks: [] }, e.message);
    }
    throw e;
  }
}

/**
 * Sends what the editor has not saved; resolves to the new version. `overwrite` drops the
 * version check. Edits made while this runs stay unsaved for the next save.
 */
export async function saveJob(editor: Editor, jobId: number, base: number, overwrite = false): Promise<number> {
  const all: ChangeSet = editor.changes();
  let version = base;
  // Deletes first: an object deleted and another created in its place never coexist on the server.
  // Each step is marked saved as soon as the server has it, so a conflict on a later step does not
  // send the earlier one twice.
  for (const action of ['delete', 'create', 'update'] as const) {
    const batch = all[action];
    if (isEmpty(batch)) continue;
    const answer = await patch(jobId, action, batch, overwrite ? null : version);
    version = answer.version;
    const none = { shapes: [], tags: [], tracks: [] };
    const sent: ChangeSet = { create: none, update: none, delete: none, [action]: batch };
    editor.markSaved(action === 'create' ? { shapes: answer.shapes, tags: answer.tags } : { shapes: [], tags: [] }, sent);
  }
  return version;
}
