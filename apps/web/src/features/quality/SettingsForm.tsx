/**
 * A task's or project's quality settings. A task in a project may use the project's settings
 * ("inherit", the default): its own values are then kept but not used, and the form shows the
 * project's, read-only, with a link to change them there.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { fieldErrors, formLevelError, FieldError } from '../../ui/fieldErrors';
import { formatDate } from '../../ui/format';
import { ALL_FIELDS, DEFAULT_SETTINGS, SETTING_GROUPS, type FieldSpec, type SettingKey } from './settings-fields';
import type { QualitySettings, QualitySettingsValues } from './types';

type Draft = Record<SettingKey, string | boolean> & { inherit: boolean };

function draftOf(s: QualitySettingsValues): Draft {
  const d = { inherit: s.inherit } as Draft;
  for (const f of ALL_FIELDS) d[f.key] = f.kind === 'flag' ? Boolean(s[f.key]) : String(s[f.key]);
  return d;
}

/** The draft as a PATCH body, or the problems found before sending it. */
function patchOf(draft: Draft, saved: QualitySettings): { patch: Partial<QualitySettingsValues>; problems: Record<string, string> } {
  const patch: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of ALL_FIELDS) {
    const raw = draft[f.key];
    let value: unknown = raw;
    if (f.kind === 'share' || f.kind === 'count') {
      const n = Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n)) problems[f.key] = 'enter a number';
      else if (f.kind === 'share' && (n < 0 || n > 1)) problems[f.key] = 'must be from 0 to 1';
      else if (f.kind === 'count' && (!Number.isInteger(n) || n < 0)) problems[f.key] = 'must be a whole number, 0 or more';
      value = n;
    } else if (f.kind === 'text') value = String(raw).trim();
    if (value !== saved[f.key]) patch[f.key] = value;
  }
  if (draft.inherit !== saved.inherit) patch.inherit = draft.inherit;
  return { patch: patch as Partial<QualitySettingsValues>, problems };
}

function FieldInput({ field, value, disabled, error, onChange }: { field: FieldSpec; value: string | boolean; disabled: boolean; error?: string; onChange: (v: string | boolean) => void }) {
  const id = `qs-${field.key}`;
  const described = `${id}-hint${error ? ` ${id}-error` : ''}`;
  if (field.kind === 'flag') {
    return (
      <div className="qs-field qs-flag">
        <label className="inline" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={described} />
          {field.label}
        </label>
        <span className="muted small" id={`${id}-hint`}>
          {field.hint}
        </span>
      </div>
    );
  }
  const common = { id, disabled, 'aria-describedby': described, 'aria-invalid': error ? true : undefined } as const;
  return (
    <div className={field.kind === 'text' ? 'qs-field qs-wide' : 'qs-field'}>
      <label htmlFor={id}>{field.label}</label>
      {field.kind === 'choice' ? (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {field.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      ) : field.kind === 'text' ? (
        <input {...common} className="code" value={String(value)} placeholder="every job" onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type="number"
          min={0}
          max={field.kind === 'share' ? 1 : undefined}
          step={field.kind === 'share' ? 0.01 : 1}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <span className="muted small" id={`${id}-hint`}>
        {field.hint} <span className="qs-default">(default {String(DEFAULT_SETTINGS[field.key]) || 'empty'})</span>
      </span>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

export function SettingsForm({
  settings,
  parent,
  parentLink,
}: {
  settings: QualitySettings;
  /** The project's settings, for a task in a project. */
  parent?: QualitySettings | null;
  parentLink?: string;
}) {
  const queries = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(settings));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(draftOf(settings)), [settings]);
  const save = useMutation({
    mutationFn: (patch: Partial<QualitySettingsValues>) => api.patch<QualitySettings>(`/api/quality/settings/${settings.id}`, patch),
    onSuccess: () => {
      setSaved(true);
      void queries.invalidateQueries({ queryKey: ['quality', 'settings'] });
    },
  });

  const inheriting = parent != null && draft.inherit;
  // While inheriting, the project's values are the ones in use: show those.
  const shown: Draft = inheriting ? { ...draftOf(parent), inherit: true } : draft;
  const { patch } = patchOf(draft, settings);
  const dirty = Object.keys(patch).length > 0;
  const serverErrors = fieldErrors(save.error);
  const keys = ALL_FIELDS.map((f) => f.key as string);

  function submit(e: FormEvent) {
    e.preventDefault();
    const { patch: body, problems: found } = patchOf(draft, settings);
    setProblems(found);
    setSaved(false);
    if (Object.keys(found).length === 0 && !inheriting) save.mutate(body);
    else if (inheriting && Object.keys(body).length) save.mutate({ inherit: true });
  }

  return (
    <form className="qs-form" onSubmit={submit} aria-label="Quality settings" noValidate>
      {parent != null && (
        <label className="inline qs-inherit">
          <input type="checkbox" checked={draft.inherit} onChange={(e) => setDraft({ ...draft, inherit: e.target.checked })} />
          Use the project's settings
          {parentLink && (
            <Link to={parentLink} className="small">
              (change them in the project)
            </Link>
          )}
        </label>
      )}
      {SETTING_GROUPS.map((g) => (
        <fieldset key={g.title} className="qs-group" disabled={inheriting}>
          <legend>{g.title}</legend>
          {g.fields.map((f) => (
            <FieldInput
              key={f.key}
              field={f}
              value={shown[f.key]}
              disabled={inheriting}
              error={problems[f.key] ?? serverErrors[f.key]}
              onChange={(v) => {
                setSaved(false);
                setDraft({ ...draft, [f.key]: v });
              }}
            />
          ))}
        </fieldset>
      ))}
      <ErrorMessage error={formLevelError(save.error, keys)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!dirty || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" disabled={inheriting} onClick={() => setDraft({ ...draftOf({ ...DEFAULT_SETTINGS, inherit: draft.inherit }) })}>
          Defaults
        </button>
        {dirty && (
          <button type="button" onClick={() => setDraft(draftOf(settings))}>
            Discard
          </button>
        )}
        {saved && !dirty && <span className="ok-note small">Saved</span>}
        <span className="muted small qs-updated">updated {formatDate(settings.updated_date)}</span>
      </div>
    </form>
  );
}
