/**
 * Someone else saved this job since it was opened. Nothing is lost either way: reloading takes
 * their version and puts this user's unsaved edits back on top; overwriting saves this user's
 * edits over theirs (only the objects this user changed).
 */
import { Modal } from '../../ui/Modal';
import type { ConflictError } from './saver';

export function ConflictDialog({ conflict, onReload, onOverwrite, onClose }: { conflict: ConflictError; onReload: () => void; onOverwrite: () => void; onClose: () => void }) {
  const n = conflict.changed.shapes.length + conflict.changed.tags.length + conflict.changed.tracks.length;
  return (
    <Modal title="Someone else saved this job" open onClose={onClose}>
      <p>
        The job was saved by someone else since you opened it
        {conflict.serverVersion >= 0 ? ` (now at version ${conflict.serverVersion})` : ''}
        {n > 0 ? `: ${n} object${n === 1 ? '' : 's'} changed or added (${describe(conflict.changed)})` : ''}. Your changes are not saved yet.
      </p>
      <ul className="small">
        <li>
          <strong>Reload and keep my changes</strong>: load their version, then apply your unsaved changes on top of it. Check the result, then save.
        </li>
        <li>
          <strong>Overwrite</strong>: save your changes as they are; objects you changed replace theirs.
        </li>
      </ul>
      <div className="form-actions">
        <button type="button" className="primary" onClick={onReload}>
          Reload and keep my changes
        </button>
        <button type="button" onClick={onOverwrite}>
          Overwrite
        </button>
        <button type="button" onClick={onClose}>
          Decide later
        </button>
      </div>
    </Modal>
  );
}

function describe(changed: ConflictError['changed']): string {
  const parts: string[] = [];
  if (changed.shapes.length) parts.push(`shapes ${changed.shapes.slice(0, 8).map((id) => `#${id}`).join(', ')}${changed.shapes.length > 8 ? '…' : ''}`);
  if (changed.tags.length) parts.push(`${changed.tags.length} tag${changed.tags.length === 1 ? '' : 's'}`);
  if (changed.tracks.length) parts.push(`${changed.tracks.length} track${changed.tracks.length === 1 ? '' : 's'}`);
  return parts.join('; ');
}
