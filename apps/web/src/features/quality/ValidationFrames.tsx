/**
 * The validation frames of a task (PATCH /api/tasks/{id}/validation_layout): a frame whose ground
 * truth turned out wrong or ambiguous can be taken out of use (disabled) without deleting it; with
 * honeypots, the honeypots can be given other pool frames (reselected), e.g. after disabling some.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { qualityKeys } from './api';
import { formatFrames } from './format';
import type { TaskValidationLayout } from './types';

export function ValidationFrames({ task, layout }: { task: Task; layout: TaskValidationLayout }) {
  const queries = useQueryClient();
  const frames = layout.validation_frames ?? [];
  const saved = new Set(layout.disabled_frames ?? []);
  const [disabled, setDisabled] = useState(saved);
  useEffect(() => setDisabled(new Set(layout.disabled_frames ?? [])), [layout]);
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.patch<TaskValidationLayout>(`/api/tasks/${task.id}/validation_layout`, body),
    onSuccess: (next) => {
      queries.setQueryData(qualityKeys.layout(task.id), next);
      void queries.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  const pool = layout.mode === 'gt_pool';
  // How many honeypots show each pool frame.
  const uses = new Map<number, number>();
  for (const f of layout.honeypot_real_frames ?? []) uses.set(f, (uses.get(f) ?? 0) + 1);
  const changed = disabled.size !== saved.size || [...disabled].some((f) => !saved.has(f));
  const toggle = (f: number) => {
    const next = new Set(disabled);
    if (next.has(f)) next.delete(f);
    else next.add(f);
    setDisabled(next);
  };

  return (
    <div className="q-frames">
      <h3>{pool ? 'Validation pool' : 'Ground-truth frames'}</h3>
      <p className="muted small">
        {pool
          ? `${frames.length} pool frames (${frames.length ? formatFrames(frames, 6) : 'none'}) shown as ${layout.honeypot_count ?? 0} honeypots, ${layout.frames_per_job_count ?? 0} hidden in each job. `
          : `${frames.length} of the task's ${task.size} frames: ${formatFrames(frames, 12)}. `}
        Click a frame to take it out of use (disabled frames are not compared).
      </p>
      <div className="q-chips" role="group" aria-label="Validation frames">
        {frames.map((f) => {
          const off = disabled.has(f);
          return (
            <button
              key={f}
              type="button"
              className={off ? 'q-chip off' : 'q-chip'}
              aria-pressed={!off}
              title={`Frame ${f}: ${off ? 'disabled, click to use it again' : 'in use, click to disable'}${pool ? ` · shown by ${uses.get(f) ?? 0} honeypots` : ''}`}
              onClick={() => toggle(f)}
            >
              {f}
              {pool && <span className="q-chip-uses">×{uses.get(f) ?? 0}</span>}
            </button>
          );
        })}
      </div>
      <div className="form-actions">
        {changed && (
          <>
            <button type="button" className="primary" disabled={patch.isPending} onClick={() => patch.mutate({ disabled_frames: [...disabled].sort((a, b) => a - b) })}>
              Save: {disabled.size} disabled
            </button>
            <button type="button" onClick={() => setDisabled(saved)}>
              Discard
            </button>
          </>
        )}
        {pool && (
          <button
            type="button"
            disabled={patch.isPending}
            title="Give every honeypot a pool frame again, the least used first, leaving out disabled frames"
            onClick={() => {
              if (window.confirm('Reselect the honeypots? Annotations on honeypots that get another frame are removed (they were drawn on another image).'))
                patch.mutate({ ...(changed ? { disabled_frames: [...disabled] } : {}), frame_selection_method: 'random_uniform' });
            }}
          >
            Reselect honeypots
          </button>
        )}
      </div>
      <ErrorMessage error={patch.error} />
    </div>
  );
}
