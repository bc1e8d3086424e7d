/**
 * CVAT-compatible list queries: `page`, `page_size`, `sort`, `search`, per-field equality
 * parameters and the JSON-logic `filter`, applied to a Kysely select, answered as
 * `{count, next, previous, results}`.
 *
 * An endpoint declares a ListSpec (its whitelist of fields) and calls listPage; everything a
 * client sends is checked against that whitelist and reaches SQL only as bound parameters.
 *
 * Where CVAT (Django REST framework) is lenient we answer 400 instead, because a silently ignored
 * parameter returns wrong data that looks right: an unknown `sort` field (DRF drops it), a bad
 * `page_size` (DRF falls back to 10), `page=0` or `page=abc` (DRF answers 404 "Invalid page.").
 * A page past the end is 404 "Invalid page." as in CVAT.
 */
import { sql, type SelectQueryBuilder, type Simplify, type SqlBool, type Expression } from 'kysely';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { fieldSql, fieldValue, icontainsSql, jsonLogicFilter, valueSql, type SqlField } from './json-logic.js';

export type { FieldKind } from './json-logic.js';

/** One field of a list endpoint, as the client names it in `sort`, `search`, `filter` and `?name=`. */
export interface FieldSpec extends SqlField {
  /** Usable as {"var": name} in `filter`. Default true. */
  filter?: boolean;
  /** Usable in `sort`. Default true. */
  sort?: boolean;
  /** Matched by `search` (case-insensitive substring). Default false. */
  search?: boolean;
  /** Accepted as its own query parameter `?name=value`, matched exactly or as a case-insensitive substring. */
  param?: 'exact' | 'icontains';
  /** The values an 'exact' parameter may take (CVAT's enum filters answer 400 for anything else). */
  choices?: readonly string[];
}

export type ListSpec = Readonly<Record<string, FieldSpec>>;

/** CVAT's REST_FRAMEWORK PAGE_SIZE. */
export const DEFAULT_PAGE_SIZE = 10;
/**
 * CVAT has no ceiling. A numeric page_size above this is most likely a mistake; asking for
 * everything stays possible, explicitly, with `page_size=all`, which CVAT's own clients send.
 */
export const MAX_PAGE_SIZE = 1000;

const RESERVED_PARAMS = new Set(['page', 'page_size', 'sort', 'search', 'filter', 'org', 'org_id']);

const pageMessage = 'must be a positive integer or "last"';
const pageSizeMessage = `must be an integer from 1 to ${MAX_PAGE_SIZE} or "all"`;

/**
 * The common list parameters. Loose, so that per-field parameters (`?status=...`) pass through a
 * Fastify querystring schema to listPage. `page=last` and `page_size=all` are DRF / CVAT spellings
 * (cvat-core asks for `page_size=all`).
 */
export const listQuerySchema = z.looseObject({
  page: z
    .union([z.literal('last'), z.coerce.number({ error: pageMessage }).int({ error: pageMessage }).min(1, { error: pageMessage })], {
      error: pageMessage,
    })
    .default(1)
    .describe('A page number within the paginated result set (1-based), or "last".'),
  page_size: z
    .union(
      [
        z.literal('all'),
        z.coerce
          .number({ error: pageSizeMessage })
          .int({ error: pageSizeMessage })
          .min(1, { error: pageSizeMessage })
          .max(MAX_PAGE_SIZE, { error: pageSizeMessage }),
      ],
      { error: pageSizeMessage },
    )
    .default(DEFAULT_PAGE_SIZE)
    .describe('Number of results to return per page, or "all".'),
  sort: z.string().optional().describe('Comma-separated fields to order by; a "-" prefix sorts descending.'),
  search: z.string().optional().describe('A search term: every word must occur in one of the searchable fields.'),
  filter: z.string().optional().describe('JSON Logic filter, e.g. {"and":[{"==":[{"var":"owner"},"<user>"]}]}'),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

/** Validates raw query parameters (idempotent on already-parsed ones); VALIDATION names the parameter. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const parsed = listQuerySchema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw AppError.invalid(String(issue.path[0] ?? 'query'), issue.message);
}

export interface ListOptions {
  /** Order when the client gives no `sort`, in `sort` syntax, e.g. '-id'. CVAT's viewsets mostly use '-id'. */
  defaultSort: string;
  /**
   * A field with unique values, appended to every order so that rows tied on the sort keys keep
   * the same order from page to page. Default 'id'. Its direction is the one defaultSort gives it,
   * else ascending.
   */
  tieBreaker?: string;
}

/** Adds the WHERE clauses for per-field parameters, `search` and `filter`. */
export function applyListFilters<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  spec: ListSpec,
  query: ListQuery,
): SelectQueryBuilder<DB, TB, O> {
  for (const condition of listConditions(spec, query)) qb = qb.where(condition);
  return qb;
}

/** The WHERE conditions `query` asks for, to be AND-ed; for callers that build their own query. */
export function listConditions(spec: ListSpec, query: ListQuery): Expression<SqlBool>[] {
  checkSpec(spec);
  const conditions: Expression<SqlBool>[] = [];

  for (const [name, field] of Object.entries(spec)) {
    if (!field.param) continue;
    const raw = lastValue(query[name]);
    // django-filter skips empty values: `?name=` means "no filter", not "name is empty".
    if (raw === undefined || raw === '') continue;
    if (field.param === 'icontains') {
      const text = fieldValue(name, name, { ...field, kind: 'string' }, raw) as string;
      conditions.push(icontainsSql(fieldSql(field), text));
      continue;
    }
    const value = fieldValue(name, name, field, raw);
    if (field.choices && !field.choices.includes(String(value))) {
      throw AppError.invalid(name, `must be one of ${field.choices.join(', ')}; got ${JSON.stringify(raw)}`);
    }
    conditions.push(sql<SqlBool>`${fieldSql(field)} = ${valueSql(field.kind, value)}`);
  }

  const search = searchCondition(spec, query.search);
  if (search) conditions.push(search);

  if (query.filter) {
    const filterable = Object.fromEntries(Object.entries(spec).filter(([, f]) => f.filter !== false));
    conditions.push(jsonLogicFilter(query.filter, filterable));
  }
  return conditions;
}

/**
 * DRF's SearchFilter: the text is split on whitespace and commas; every word must occur
 * (case-insensitively) in at least one searchable field.
 */
function searchCondition(spec: ListSpec, search: string | undefined): Expression<SqlBool> | undefined {
  if (!search) return undefined;
  // DRF strips NUL as well; PostgreSQL could not take it in a parameter anyway.
  const terms = search.replaceAll('\0', '').split(/[\s,]+/u).filter(Boolean);
  const fields = Object.values(spec).filter((f) => f.search);
  // Like DRF, an endpoint without searchable fields ignores `search`.
  if (terms.length === 0 || fields.length === 0) return undefined;
  const perTerm = terms.map((term) => sql<SqlBool>`(${sql.join(fields.map((f) => icontainsSql(fieldSql(f), term)), sql` or `)})`);
  return sql<SqlBool>`(${sql.join(perTerm, sql` and `)})`;
}

interface SortTerm {
  name: string;
  desc: boolean;
}

function parseSort(spec: ListSpec, text: string, onUnknown: (name: string) => never): SortTerm[] {
  const terms: SortTerm[] = [];
  for (const part of text.split(',')) {
    const term = part.trim();
    if (!term) continue;
    const desc = term.startsWith('-');
    const name = desc ? term.slice(1) : term;
    if (!Object.hasOwn(spec, name) || spec[name]!.sort === false) onUnknown(name);
    // A repeated field cannot change the order; the first mention wins.
    if (!terms.some((t) => t.name === name)) terms.push({ name, desc });
  }
  return terms;
}

/** Adds ORDER BY: the client's `sort`, else opts.defaultSort, then the tie-breaker. */
export function applyListSort<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  spec: ListSpec,
  query: ListQuery,
  opts: ListOptions,
): SelectQueryBuilder<DB, TB, O> {
  const defaults = parseSort(spec, opts.defaultSort, (name) => {
    throw new Error(`list spec: defaultSort names "${name}", which is not a sortable field`);
  });
  const sortable = () =>
    Object.entries(spec)
      .filter(([, f]) => f.sort !== false)
      .map(([n]) => n)
      .join(', ');
  const requested = query.sort
    ? parseSort(spec, query.sort, (name) => {
        const what = Object.hasOwn(spec, name) ? `field "${name}" is not sortable` : `unknown field "${name}"`;
        throw AppError.invalid('sort', `${what}; allowed: ${sortable()}`);
      })
    : [];
  const terms = requested.length > 0 ? requested : defaults;

  const tie = opts.tieBreaker ?? 'id';
  if (!Object.hasOwn(spec, tie)) throw new Error(`list spec: tie-breaker "${tie}" is not a field`);
  if (!terms.some((t) => t.name === tie)) terms.push({ name: tie, desc: defaults.find((t) => t.name === tie)?.desc ?? false });

  for (const t of terms) qb = qb.orderBy(fieldSql(spec[t.name]!), t.desc ? 'desc' : 'asc');
  return qb;
}

export interface PageInfo {
  /** Rows matching the filters, over all pages. */
  count: number;
  /** The 1-based page returned (`page=last` resolved). */
  page: number;
  /** null for `page_size=all`. */
  pageSize: number | null;
}

export interface ListPage<R> extends PageInfo {
  rows: R[];
}

/**
 * Runs a list request: filters, counts, sorts and cuts out the requested page.
 *
 * `qb` is the endpoint's base query (FROM, joins, the caller's own WHERE such as permission
 * scoping, and the selection). It must yield one row per entity and carry no ORDER BY, LIMIT,
 * OFFSET, GROUP BY or DISTINCT: the count is the same query with its selection replaced by
 * count(*). Throws VALIDATION for bad parameters and NOT_FOUND "Invalid page." past the last page.
 */
export async function listPage<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  spec: ListSpec,
  rawQuery: Record<string, unknown>,
  opts: ListOptions,
): Promise<ListPage<Simplify<O>>> {
  const query = parseListQuery(rawQuery);
  checkBaseQuery(qb);
  const filtered = applyListFilters(qb, spec, query);
  // Order is validated before the count so a bad `sort` is a 400 even on an empty list.
  const sorted = applyListSort(filtered, spec, query, opts);

  // The generic builder loses the result type of this select; the shape is known.
  const counted = (await filtered
    .clearSelect()
    .select(sql<number | string | bigint>`count(*)`.as('count'))
    .executeTakeFirst()) as { count: number | string | bigint } | undefined;
  // pg gives int8 as a string, PGlite as a bigint unless the app installed a parser.
  const count = Number(counted?.count ?? 0);

  const pageSize = query.page_size === 'all' ? null : query.page_size;
  const pages = pageCount(count, pageSize);
  const page = query.page === 'last' ? pages : query.page;
  // Django's Paginator: page 1 of an empty list is fine, anything past the end is not.
  if (page > pages) throw new AppError('NOT_FOUND', 'Invalid page.');
  if (count === 0) return { count, page, pageSize, rows: [] };

  const rows = pageSize === null ? await sorted.execute() : await sorted.limit(pageSize).offset((page - 1) * pageSize).execute();
  return { count, page, pageSize, rows };
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Where the request was made: `base` is the absolute URL without query, `query` the raw query string. */
export interface RequestUrl {
  base: string;
  query: string;
}

/**
 * CVAT's paginated body. next/previous repeat the request with only `page` changed; like DRF's
 * PageNumberPagination, the link to page 1 drops `page` altogether.
 */
export function paginated<T>(url: RequestUrl, info: PageInfo, results: T[]): Paginated<T> {
  const pages = pageCount(info.count, info.pageSize);
  const link = (page: number): string => {
    const params = new URLSearchParams(url.query.replace(/^\?/, ''));
    if (page === 1) params.delete('page');
    else params.set('page', String(page));
    const qs = params.toString();
    return qs ? `${url.base}?${qs}` : url.base;
  };
  return {
    count: info.count,
    next: info.page < pages ? link(info.page + 1) : null,
    previous: info.page > 1 ? link(info.page - 1) : null,
    results,
  };
}

function pageCount(count: number, pageSize: number | null): number {
  return pageSize === null ? 1 : Math.max(1, Math.ceil(count / pageSize));
}

/** Query-string parsers give repeated parameters as arrays; Django's QueryDict.get takes the last. */
function lastValue(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function checkSpec(spec: ListSpec): void {
  for (const [name, field] of Object.entries(spec)) {
    if (field.param && RESERVED_PARAMS.has(name)) throw new Error(`list spec: field "${name}" cannot be a query parameter (reserved)`);
  }
}

// Programmer errors, caught by the first test of an endpoint: these clauses would make the count
// or the pages wrong rather than fail.
function checkBaseQuery(qb: SelectQueryBuilder<any, any, any>): void {
  const node = qb.toOperationNode();
  const clauses: [string, unknown][] = [
    ['ORDER BY (use opts.defaultSort)', node.orderBy],
    ['LIMIT', node.limit],
    ['OFFSET', node.offset],
    ['GROUP BY', node.groupBy],
    ['HAVING', node.having],
    ['DISTINCT ON', node.distinctOn],
    ['DISTINCT', node.frontModifiers?.some((m) => m.modifier === 'Distinct') || undefined],
    ['UNION/INTERSECT/EXCEPT', node.setOperations?.length || undefined],
  ];
  const found = clauses.filter(([, v]) => v !== undefined).map(([c]) => c);
  if (found.length > 0) throw new Error(`listPage: the base query must not have ${found.join(', ')}`);
}
