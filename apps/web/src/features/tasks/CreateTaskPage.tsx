/**
 * Task creation as CVAT does it, in two steps the user sees: the task is created, then its data
 * is attached (uploaded files, paths on the server's share, or keys in a cloud storage), which the
 * server processes in the background. Both steps have a real progress bar: bytes sent, then the
 * request's progress as the server reports it.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, upload } from '../../api/client';
import type { Label, Page, Project, Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { ProgressBar } from '../../ui/ProgressBar';
import { LabelEditor } from '../projects/LabelEditor';
import { labelsForApi } from '../projects/labels';
import { FileDrop } from './FileDrop';
import { useRequestStatus } from './useRequestStatus';

type Source = 'local' | 'share' | 'cloud';
interface CloudStorage {
  id: number;
  display_name: string;
  resource: string;
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

export function CreateTaskPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [projectId, setProjectId] = useState<string>(params.get('project_id') ?? '');
  const [labels, setLabels] = useState<Label[]>([]);
  const [source, setSource] = useState<Source>('local');
  const [files, setFiles] = useState<File[]>([]);
  const [paths, setPaths] = useState('');
  const [storageId, setStorageId] = useState('');
  const [segmentSize, setSegmentSize] = useState('');
  const [quality, setQuality] = useState('70');
  const [phase, setPhase] = useState<'form' | 'uploading' | 'processing'>('form');
  const [sent, setSent] = useState(0);
  const [task, setTask] = useState<Task | null>(null);
  const [rqId, setRqId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const projects = useQuery({ queryKey: ['projects', 'all'], queryFn: () => api.get<Page<Project>>('/api/projects', { page_size: 500, sort: 'name' }) });
  const storages = useQuery({
    queryKey: ['cloudstorages'],
    queryFn: () => api.get<Page<CloudStorage>>('/api/cloudstorages', { page_size: 500 }),
    enabled: source === 'cloud',
  });
  const status = useRequestStatus(rqId);

  useEffect(() => {
    if (!task || !status.data) return;
    if (status.data.status === 'finished') {
      void queries.invalidateQueries({ queryKey: ['tasks'] });
      navigate(`/tasks/${task.id}`);
    } else if (status.data.status === 'failed') {
      setError(new Error(status.data.message || 'the server could not process the data'));
      setPhase('form');
    }
  }, [status.data, task, navigate, queries]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (source === 'local' && files.length === 0) return setError(new Error('files: choose at least one file'));
    if (source !== 'local' && lines(paths).length === 0) return setError(new Error('paths: name at least one file or folder'));
    if (source === 'cloud' && !storageId) return setError(new Error('cloud storage: choose one'));
    try {
      // A task left behind by a failed attachment is reused rather than created twice.
      const created =
        task ??
        (await api.post<Task>('/api/tasks', {
          name: name.trim(),
          ...(projectId ? { project_id: Number(projectId) } : { labels: labelsForApi(labels) }),
          ...(segmentSize ? { segment_size: Number(segmentSize) } : {}),
        }));
      setTask(created);
      let answer: { rq_id: string };
      if (source === 'local') {
        setPhase('uploading');
        const form = new FormData();
        form.set('image_quality', quality);
        files.forEach((f, i) => form.append(`client_files[${i}]`, f, f.name));
        answer = await upload<{ rq_id: string }>(`/api/tasks/${created.id}/data`, form, (loaded) => setSent(loaded));
      } else {
        answer = await api.post<{ rq_id: string }>(`/api/tasks/${created.id}/data`, {
          image_quality: Number(quality),
          server_files: lines(paths),
          ...(source === 'cloud' ? { cloud_storage_id: Number(storageId) } : {}),
        });
      }
      setPhase('processing');
      setRqId(answer.rq_id);
    } catch (err) {
      setError(err);
      setPhase('form');
    }
  }

  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const busy = phase !== 'form';
  return (
    <section className="narrow">
      <h1>Create task</h1>
      <form className="form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus disabled={busy || task !== null} />
        </label>
        <label>
          Project
          <select value={projectId} onChange={(e) => setProjectId(e.target.value)} disabled={busy || task !== null}>
            <option value="">No project (labels of its own)</option>
            {projects.data?.results.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {!projectId && !task && (
          <>
            <h2>Labels</h2>
            <LabelEditor labels={labels} onChange={setLabels} />
          </>
        )}
        <h2>Data</h2>
        <div className="tabs" role="tablist">
          {(['local', 'share', 'cloud'] as const).map((s) => (
            <button key={s} type="button" role="tab" aria-selected={source === s} onClick={() => setSource(s)} disabled={busy}>
              {s === 'local' ? 'My computer' : s === 'share' ? 'Connected share' : 'Cloud storage'}
            </button>
          ))}
        </div>
        {source === 'local' && <FileDrop files={files} onChange={setFiles} />}
        {source === 'cloud' && (
          <label>
            Cloud storage
            <select value={storageId} onChange={(e) => setStorageId(e.target.value)}>
              <option value="">Choose…</option>
              {storages.data?.results.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.display_name} ({s.resource})
                </option>
              ))}
            </select>
          </label>
        )}
        {source !== 'local' && (
          <label>
            {source === 'share' ? 'Files or folders on the share' : 'Object keys, prefixes ending in / or a manifest (.jsonl)'}, one per line
            <textarea rows={5} className="code" value={paths} onChange={(e) => setPaths(e.target.value)} />
          </label>
        )}
        <details>
          <summary>Advanced</summary>
          <div className="row">
            <label>
              Segment size (frames per job)
              <input type="number" min={1} value={segmentSize} onChange={(e) => setSegmentSize(e.target.value)} placeholder="whole task" />
            </label>
            <label>
              Image quality
              <input type="number" min={1} max={100} value={quality} onChange={(e) => setQuality(e.target.value)} />
            </label>
          </div>
        </details>
        {phase === 'uploading' && <ProgressBar label="Uploading" value={totalBytes ? sent / totalBytes : null} />}
        {phase === 'processing' && <ProgressBar label={status.data?.message || 'Processing on the server'} value={status.data?.progress ?? null} />}
        <ErrorMessage error={error} />
        {task && phase === 'form' && (
          <p className="muted small">
            Task <Link to={`/tasks/${task.id}`}>#{task.id}</Link> was created without data; submit again to attach it.
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Working…' : task ? 'Attach data' : 'Create task'}
          </button>
        </div>
      </form>
    </section>
  );
}
