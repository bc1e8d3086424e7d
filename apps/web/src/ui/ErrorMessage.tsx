import { ApiError } from '../api/client';

/** Shows what went wrong as the server said it (its message names the field or object). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error" role="alert">
      {message}
      {code && <span className="error-code">{code}</span>}
    </div>
  );
}
