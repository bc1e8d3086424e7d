/**
 * Creates the task's ground-truth job (POST /api/jobs, type ground_truth): frames drawn at random
 * from the whole task or from every job, or chosen by number. The server checks everything again
 * and names the field a refusal is about.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Job, Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { fieldErrors, formLevelError, Field } from '../../ui/fieldErrors';
import { parseFrames } from './format';

type Method = 'random_uniform' | 'random_per_job' | 'manual';

const METHODS: { value: Method; label: string; hint: string }[] = [
  { value: 'random_uniform', label: 'Random frames of the task', hint: 'drawn evenly from all frames' },
  { value: 'random_per_job', label: 'Random frames of every job', hint: 'the same number from each job, so every annotator is checked' },
  { value: 'manual', label: 'Frames I choose', hint: 'by frame number' },
];

export function CreateGroundTruthForm({ task, onCreated }: { task: Task; onCreated?: (job: Job) => void }) {
  const queries = useQueryClient();
  const [method, setMethod] = useState<Method>('random_uniform');
  const [by, setBy] = useState<'count' | 'share'>('count');
  const [amount, setAmount] = useState('');
  const [seed, setSeed] = useState('');
  const [frames, setFrames] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<Job>('/api/jobs', body),
    onSuccess: (job) => {
      void queries.invalidateQueries({ queryKey: ['jobs'] });
      void queries.invalidateQueries({ queryKey: ['task', task.id] });
      void queries.invalidateQueries({ queryKey: ['quality'] });
      onCreated?.(job);
    },
  });

  const perJob = method === 'random_per_job';
  const segment = task.segment_size > 0 ? Math.min(task.segment_size, task.size) : task.size;
  let parsed: number[] | null = null;
  let parseError = '';
  if (method === 'manual' && frames.trim()) {
    try {
      parsed = parseFrames(frames);
    } catch (e) {
      parseError = (e as Error).message;
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const body: Record<string, unknown> = { task_id: task.id, type: 'ground_truth', frame_selection_method: method };
    if (method === 'manual') {
      if (!frames.trim()) found.frames = 'name at least one frame';
      else if (parseError) found.frames = parseError;
      else {
        const outside = parsed!.filter((f) => f >= task.size);
        if (outside.length) found.frames = `the task has frames 0-${task.size - 1}; not ${outside.slice(0, 5).join(', ')}`;
        else if (new Set(parsed).size !== parsed!.length) found.frames = 'a frame is named twice';
        body.frames = parsed;
      }
    } else {
      const n = Number(amount);
      if (!amount.trim() || !Number.isFinite(n)) found.amount = 'enter a number';
      else if (by === 'count' && (!Number.isInteger(n) || n < 1)) found.amount = 'a whole number, 1 or more';
      else if (by === 'count' && n > (perJob ? segment : task.size)) found.amount = perJob ? `a job has at most ${segment} frames` : `the task has ${task.size} frames`;
      else if (by === 'share' && (n <= 0 || n > 1)) found.amount = 'a share above 0 and at most 1 (0.1 is 10%)';
      body[`${perJob ? 'frames_per_job' : 'frame'}_${by}`] = n;
      if (seed.trim()) {
        const s = Number(seed);
        if (!Number.isInteger(s) || s < 0) found.seed = 'a whole number, 0 or more';
        body.random_seed = s;
      }
    }
    setProblems(found);
    if (Object.keys(found).length === 0) create.mutate(body);
  }

  const server = fieldErrors(create.error);
  const amountError = problems.amount ?? server.frame_count ?? server.frame_share ?? server.frames_per_job_count ?? server.frames_per_job_share;
  const amountFields = ['frame_count', 'frame_share', 'frames_per_job_count', 'frames_per_job_share', 'frames', 'random_seed'];

  return (
    <form className="form q-gt-form" onSubmit={submit} aria-label="Create the ground-truth job" noValidate>
      <p className="muted small">
        Ground truth is a set of frames annotated with extra care; the annotation jobs are compared with it. The frames stay in their jobs: the ground-truth job is an extra job over them.
      </p>
      <fieldset className="q-methods">
        <legend>Frames</legend>
        {METHODS.map((m) => (
          <label key={m.value} className="inline">
            <input type="radio" name="gt-method" value={m.value} checked={method === m.value} onChange={() => setMethod(m.value)} />
            {m.label} <span className="muted small">{m.hint}</span>
          </label>
        ))}
      </fieldset>
      {method === 'manual' ? (
        <Field
          label="Frame numbers"
          error={problems.frames ?? server.frames}
          hint={parsed ? `${parsed.length} frame${parsed.length === 1 ? '' : 's'} · the task has frames 0-${task.size - 1}` : `e.g. 0, 4, 10-12 · the task has frames 0-${task.size - 1}`}
        >
          <input value={frames} onChange={(e) => setFrames(e.target.value)} placeholder="0, 4, 10-12" />
        </Field>
      ) : (
        <div className="row">
          <Field
            label={perJob ? (by === 'count' ? 'Frames per job' : 'Share of each job') : by === 'count' ? 'Number of frames' : 'Share of the task'}
            error={amountError}
            hint={by === 'count' ? (perJob ? `jobs have up to ${segment} frames` : `of ${task.size}`) : 'from 0 to 1, e.g. 0.05 for 5%'}
          >
            <input type="number" min={by === 'count' ? 1 : 0} max={by === 'share' ? 1 : undefined} step={by === 'count' ? 1 : 0.01} value={amount} onChange={(e) => setAmount(e.target.value)} />
          </Field>
          <div className="field">
            <span className="q-label">Amount as</span>
            <div className="q-segmented" role="radiogroup" aria-label="Amount as">
              {(['count', 'share'] as const).map((b) => (
                <label key={b} className="inline">
                  <input type="radio" name="gt-by" checked={by === b} onChange={() => setBy(b)} />
                  {b === 'count' ? 'a number' : 'a share'}
                </label>
              ))}
            </div>
          </div>
          <Field label="Random seed" error={problems.seed ?? server.random_seed} hint="the same seed picks the same frames; empty: any">
            <input type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />
          </Field>
        </div>
      )}
      <ErrorMessage error={formLevelError(create.error, amountFields)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create ground-truth job'}
        </button>
      </div>
    </form>
  );
}
