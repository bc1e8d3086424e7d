/** The database errors services turn into answers, as both drivers (pg, PGlite) report them. */

/** PostgreSQL's unique_violation (error `code` 23505). */
export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === '23505';
}

/** PostgreSQL's foreign_key_violation. */
export function isForeignKeyViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === '23503';
}
