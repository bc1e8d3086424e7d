/**
 * The server names the field a 400 is about (`details: [{field, message}]`); forms show each
 * message under its field, and whatever names no field of the form above it.
 */
import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import { ApiError } from '../api/client';

export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return out;
  for (const d of error.details as { field?: unknown; message?: unknown }[]) {
    if (typeof d?.field === 'string' && typeof d.message === 'string' && !(d.field in out)) out[d.field] = d.message;
  }
  return out;
}

/** The error to show above the form: null when every detail belongs to one of `fields`. */
export function formLevelError(error: unknown, fields: readonly string[]): unknown {
  if (!error) return null;
  const named = Object.keys(fieldErrors(error));
  return named.length > 0 && named.every((f) => fields.includes(f)) ? null : error;
}

export function FieldError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {message}
    </span>
  );
}

/**
 * A labelled input with its hint and error below it. The error stays out of the label, so the
 * field's name stays its label; the input points at the error (aria-describedby) instead.
 */
export function Field({ label, error, hint, children }: { label: string; error?: string | undefined; hint?: ReactNode; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described || undefined })}
      {hint && (
        <span className="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
