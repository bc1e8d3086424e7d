/**
 * The annotation workspace: React around the engine (src/editor). The engine owns objects,
 * tools, history and the viewport; this file owns what is not the engine's business: frames
 * (loading, prefetch), saving (autosave, Ctrl+S, conflicts), the job's state, and the layout.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useBlocker, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { DataMeta, Job, Label } from '../../api/types';
import type { CvatAnnotations } from '../../editor/cvat';
import { Editor } from '../../editor/editor';
import type { EditorLabel } from '../../editor/model';
import { FeedbackDialog } from '../quality/FeedbackDialog';
import { qualityKeys } from '../quality/api';
import type { Conflict, ValidationFeedback } from '../quality/types';
import { useFrameMarks, useJobConflicts, useValidationFeedback } from '../quality/useJobQuality';
import { ConflictsList, FeedbackNote } from '../quality/WorkspaceQuality';
import { CanvasView } from './CanvasView';
import { ConflictDialog } from './ConflictDialog';
import { FrameBar } from './FrameBar';
import { FrameLoader, type LoadedFrame } from './frame-loader';
import { ObjectsPanel } from './ObjectsPanel';
import { ConflictError, saveJob } from './saver';
import { ShortcutsHelp, useAutosaveSeconds } from './ShortcutsHelp';
import { LabelPicker, Toolbar } from './Toolbar';
import { useEditorModel } from './useEditor';

type SaveState = 'saved' | 'unsaved' | 'saving' | 'conflict' | 'error';

/** An object to select once its frame is shown: a conflict's, or CVAT's `?type=&serverID=` link. */
interface PendingSelect {
  frame: number;
  type: string | null;
  serverId: number | null;
}

function editorLabels(labels: Label[]): EditorLabel[] {
  return labels
    .filter((l) => l.id !== undefined)
    .map((l) => ({
      id: l.id!,
      name: l.name,
      color: l.color,
      type: l.type,
      attributes: l.attributes.map((a) => ({
        id: a.id!,
        name: a.name,
        input_type: a.input_type,
        mutable: a.mutable,
        values: a.values,
        default_value: a.default_value ?? '',
      })),
    }));
}

/** Typing in a field must not trigger shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function Workspace({ job, labels, meta, annotations }: { job: Job; labels: Label[]; meta: DataMeta; annotations: CvatAnnotations }) {
  const queries = useQueryClient();
  const [params, setParams] = useSearchParams();
  const editor = useMemo(() => {
    const e = new Editor({ labels: editorLabels(labels) });
    e.load(annotations);
    return e;
    // The workspace is created once per job; a reload builds a new one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEditorModel(editor);
  const first = meta.start_frame;
  const last = meta.start_frame + meta.frames.length - 1;
  const loader = useMemo(() => new FrameLoader(job.id, first, last), [job.id, first, last]);
  useEffect(() => () => loader.dispose(), [loader]);

  const requested = Number(params.get('frame'));
  const [frame, setFrameState] = useState(Number.isInteger(requested) && requested >= first && requested <= last ? requested : first);
  /** The decoded frame on the canvas; it lags `frame` while the next one loads. */
  const [shown, setShown] = useState<LoadedFrame | null>(null);
  const [frameError, setFrameError] = useState<string | null>(null);
  const [version, setVersion] = useState(annotations.version);
  /** What a save is doing; whether there is anything to save comes from the engine. */
  const [saveStatus, setSaveStatus] = useState<'idle' | 'saving' | 'conflict' | 'error'>('idle');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<ConflictError | null>(null);
  const [jobState, setJobState] = useState(job.state);
  const [jobStage, setJobStage] = useState(job.stage);
  const [help, setHelp] = useState(false);
  const [filters, setFilters] = useState({ brightness: 100, contrast: 100 });
  const [autosave, setAutosave] = useAutosaveSeconds();
  const [pendingSelect, setPendingSelect] = useState<PendingSelect | null>(() => {
    const serverId = Number(params.get('serverID'));
    return Number.isInteger(serverId) && serverId > 0 ? { frame, type: params.get('type'), serverId } : null;
  });
  const [feedbackShown, setFeedbackShown] = useState<ValidationFeedback | null>(null);
  const quality = useJobConflicts(job.id);
  const feedback = useValidationFeedback(job.id);
  const marks = useFrameMarks(quality.conflicts, feedback.data?.status === 'rejected' ? feedback.data.failing_frames : undefined);
  const direction = useRef<1 | -1>(1);
  const saving = useRef(false);

  // Frame: the engine switches at once (its objects); the image follows when decoded.
  useEffect(() => {
    const size = meta.frames[frame - first] ?? meta.frames[0]!;
    editor.setFrame(frame, { width: size.width, height: size.height });
    let current = true;
    setFrameError(null);
    loader.get(frame, direction.current).then(
      (f) => {
        if (!current) return;
        loader.showing(f.number);
        setShown(f);
      },
      (e: Error) => current && setFrameError(e.message),
    );
    return () => {
      current = false;
    };
  }, [frame, editor, loader, meta, first]);

  // After the frame's switch (which drops the selection): select the object a link or conflict named.
  useEffect(() => {
    if (!pendingSelect || pendingSelect.frame !== frame) return;
    const { serverId, type } = pendingSelect;
    // Tracks are kept aside by the engine (never edited here): their frame is all a link can give.
    if (serverId !== null && type !== 'track') {
      const tag = type === 'tag';
      const record = editor.objectsOnFrame(frame).find((r) => r.serverId === serverId && (r.kind === 'tag') === tag);
      if (record) editor.select([record.id]);
    }
    setPendingSelect(null);
    if (params.has('serverID') || params.has('type')) {
      const out = new URLSearchParams(params);
      out.delete('serverID');
      out.delete('type');
      setParams(out, { replace: true });
    }
  }, [pendingSelect, frame, editor, params, setParams]);

  const goTo = useCallback(
    (n: number) => {
      const next = Math.min(last, Math.max(first, Math.round(n)));
      direction.current = next < frame ? -1 : 1;
      setFrameState(next);
      const out = new URLSearchParams(params);
      out.set('frame', String(next));
      setParams(out, { replace: true });
    },
    [first, last, frame, params, setParams],
  );

  const save = useCallback(
    async (overwrite = false) => {
      if (saving.current || !editor.hasUnsavedChanges) return;
      saving.current = true;
      setSaveStatus('saving');
      setSaveError(null);
      try {
        const v = await saveJob(editor, job.id, version, overwrite);
        setVersion(v);
        setConflict(null);
        setSaveStatus('idle');
      } catch (e) {
        if (e instanceof ConflictError) {
          setConflict(e);
          setSaveStatus('conflict');
        } else {
          setSaveError((e as Error).message);
          setSaveStatus('error');
        }
      } finally {
        saving.current = false;
      }
    },
    [editor, job.id, version],
  );

  /** Takes the server's annotations and puts the user's unsaved edits back on top of them. */
  const fail = useCallback((e: unknown) => {
    setSaveError(e instanceof Error ? e.message : String(e));
    setSaveStatus('error');
  }, []);

  const reloadKeepingMine = useCallback(async () => {
    try {
      const fresh = await api.get<CvatAnnotations>(`/api/jobs/${job.id}/annotations`);
      editor.rebase(fresh);
      setVersion(fresh.version);
      setConflict(null);
      setSaveStatus('idle');
    } catch (e) {
      fail(e);
    }
  }, [editor, job.id, fail]);

  const dirty = editor.hasUnsavedChanges;
  const saveState: SaveState = saveStatus !== 'idle' ? saveStatus : dirty ? 'unsaved' : 'saved';

  useEffect(() => {
    if (autosave <= 0) return;
    const timer = setInterval(() => {
      if (saveState === 'unsaved' || saveState === 'error') void save();
    }, autosave * 1000);
    return () => clearInterval(timer);
  }, [autosave, save, saveState]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (editor.hasUnsavedChanges) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [editor]);
  // Leaving inside the app (the task link, Back, a lapsed session's redirect) asks as well.
  useBlocker(
    ({ currentLocation, nextLocation }) =>
      currentLocation.pathname !== nextLocation.pathname && editor.hasUnsavedChanges && !window.confirm('This job has unsaved changes. Leave without saving them?'),
  );

  /** Undoing an edit made on another frame goes to that frame, so the user sees what changed. */
  const undoOrRedo = useCallback(
    (which: 'undo' | 'redo') => {
      const at = which === 'undo' ? editor.undo() : editor.redo();
      if (at !== null && at !== frame) goTo(at);
    },
    [editor, frame, goTo],
  );

  const finish = useCallback(async () => {
    await save();
    // A failed or conflicting save has already said so; an autosave under way finishes first.
    if (editor.hasUnsavedChanges) return;
    try {
      const before = feedback.data?.attempts ?? 0;
      const updated = await api.patch<Job>(`/api/jobs/${job.id}`, { state: 'completed' });
      setJobState(updated.state);
      setJobStage(updated.stage);
      void queries.invalidateQueries({ queryKey: ['jobs'] });
      // The server may have checked the hand-in against the ground truth (immediate feedback):
      // a job below the target comes back rejected, or goes to review, or is still being checked.
      if (updated.state !== 'completed' || updated.stage !== job.stage) {
        const checked = await api.get<ValidationFeedback>(`/api/jobs/${job.id}/validation_feedback`).catch(() => null);
        if (checked) {
          queries.setQueryData(qualityKeys.feedback(job.id), checked);
          if (checked.status === 'validating' || checked.attempts > before) setFeedbackShown(checked);
        }
      }
    } catch (e) {
      fail(e);
    }
  }, [editor, job.id, job.stage, queries, save, fail, feedback.data?.attempts]);

  // A check in the background ends: the dialog shows its outcome, and the job its new state.
  const latest = feedback.data;
  useEffect(() => {
    if (!feedbackShown || feedbackShown.status !== 'validating' || !latest || latest.status === 'validating') return;
    setFeedbackShown(latest);
    void api.get<Job>(`/api/jobs/${job.id}`).then(
      (j) => {
        setJobState(j.state);
        setJobStage(j.stage);
      },
      () => undefined,
    );
  }, [feedbackShown, latest, job.id]);

  const openConflict = useCallback(
    (c: Conflict) => {
      const own = c.annotation_ids.find((a) => a.job_id === job.id);
      setPendingSelect({ frame: c.frame, type: own?.type ?? null, serverId: own?.obj_id ?? null });
      goTo(c.frame);
    },
    [job.id, goTo],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || conflict) return;
      const ctrl = e.ctrlKey || e.metaKey;
      if (ctrl && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
        return;
      }
      if (ctrl && !e.altKey && (e.code === 'KeyZ' || e.code === 'KeyY') && editor.getPath().endsWith('.idle')) {
        e.preventDefault();
        undoOrRedo(e.code === 'KeyY' || e.shiftKey ? 'redo' : 'undo');
        return;
      }
      if (!ctrl && !e.altKey && editor.getPath().endsWith('.idle')) {
        const key = e.key.toLowerCase();
        if (key === 'f' || key === 'd') {
          e.preventDefault();
          goTo(frame + (key === 'f' ? 1 : -1));
          return;
        }
        if (e.key === 'F1' || e.key === '?') {
          e.preventDefault();
          setHelp((h) => !h);
          return;
        }
      }
      if (editor.keyDown({ key: e.key, code: e.code, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey })) e.preventDefault();
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (!isTyping(e.target)) editor.keyUp({ key: e.key, code: e.code, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [editor, frame, goTo, save, conflict, undoOrRedo]);

  return (
    <div className="workspace">
      <header className="ws-top">
        <Link to={`/tasks/${job.task_id}`} className="ws-back" title="Back to the task">
          ← Task #{job.task_id}
        </Link>
        <span className="ws-title">
          Job #{job.id}{' '}
          <span className="muted small">
            {jobStage !== 'annotation' && `${jobStage} · `}
            {jobState}
          </span>
        </span>
        <LabelPicker editor={editor} />
        <div className="ws-actions">
          <button type="button" onClick={() => undoOrRedo('undo')} disabled={!editor.canUndo} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={() => undoOrRedo('redo')} disabled={!editor.canRedo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <span className={`save-state save-${saveState}`} role="status" aria-label="Save state" title={saveError ?? undefined}>
            {saveState === 'saved' ? 'All changes saved' : saveState === 'unsaved' ? 'Unsaved changes' : saveState === 'saving' ? 'Saving…' : saveState === 'conflict' ? 'Conflict' : 'Save failed'}
          </span>
          <button type="button" onClick={() => void save()} disabled={saveState === 'saving' || !dirty} title="Save (Ctrl+S)">
            Save
          </button>
          <button type="button" className="primary" onClick={() => void finish()} disabled={jobState === 'completed'} title="Save and mark the job completed">
            {jobState === 'completed' ? 'Completed' : 'Finish job'}
          </button>
          <button type="button" onClick={() => setHelp(true)} title="Shortcuts (F1)">
            ?
          </button>
        </div>
      </header>
      <Toolbar editor={editor} filters={filters} onFilters={setFilters} />
      <div className="ws-canvas" data-frame={frame} data-loaded={shown?.number === frame}>
        <CanvasView editor={editor} image={shown?.bitmap ?? null} filters={filters} />
        {frameError && (
          <div className="ws-frame-error" role="alert">
            {frameError}
          </div>
        )}
      </div>
      <ObjectsPanel editor={editor}>
        {feedback.data && <FeedbackNote feedback={feedback.data} onFrame={goTo} />}
        {quality.report && quality.conflicts && <ConflictsList report={quality.report} conflicts={quality.conflicts} frame={frame} onOpen={openConflict} />}
      </ObjectsPanel>
      <FrameBar jobId={job.id} first={first} last={last} frame={frame} names={meta.frames} onFrame={goTo} marks={marks} />
      {feedbackShown && <FeedbackDialog feedback={feedbackShown} onFrame={goTo} onClose={() => setFeedbackShown(null)} />}
      {help && <ShortcutsHelp onClose={() => setHelp(false)} autosave={autosave} onAutosave={setAutosave} />}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          onReload={() => void reloadKeepingMine()}
          onOverwrite={() => void save(true)}
          onClose={() => {
            setConflict(null);
            setSaveStatus('idle');
          }}
        />
      )}
    </div>
  );
}
