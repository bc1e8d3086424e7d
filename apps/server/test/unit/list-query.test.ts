/**
 * list-query / json-logic against a real PostgreSQL (embedded PGlite): every expectation is
 * computed from the same fixture in plain JS, so the SQL translation is checked row by row.
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import { AppError } from '../../src/errors.js';
import { jsonLogicFilter } from '../../src/http/json-logic.js';
import {
  DEFAULT_PAGE_SIZE,
  applyListFilters,
  listPage,
  paginated,
  parseListQuery,
  type ListOptions,
  type ListSpec,
} from '../../src/http/list-query.js';

interface TestDb {
  users: { id: number; username: string };
  items: {
    id: number;
    name: string;
    state: string;
    stage: string;
    assignee_id: number | null;
    created: Date;
    frames: number;
    score: number | null;
    done: boolean;
    secret: string;
  };
}

const USERS = [
  { id: 1, username: 'alice' },
  { id: 2, username: 'bob' },
  { id: 3, username: 'carol' },
];
const STATES = ['new', 'in progress', 'completed', 'rejected'] as const;
const STAGES = ['annotation', 'validation', 'acceptance'] as const;
const NAMES: Record<number, string> = {
  7: '100% done',
  8: 'a_b test',
  9: 'a-b test',
  10: '1000 apples',
  11: 'back\\slash',
  12: 'ITEM twelve',
};

interface Row {
  id: number;
  name: string;
  state: string;
  stage: string;
  assignee: string | null;
  created: string;
  frames: number;
  score: number | null;
  done: boolean;
  secret: string;
}

const ROWS: Row[] = Array.from({ length: 25 }, (_, k) => {
  const id = k + 1;
  return {
    id,
    name: NAMES[id] ?? `item ${id}`,
    state: STATES[id % 4]!,
    stage: STAGES[id % 3]!,
    assignee: id % 4 === 0 ? null : USERS[id % 3]!.username,
    // Midday UTC: date-only bounds in the tests cannot fall on the wrong side in any time zone.
    created: `2024-01-${String(id).padStart(2, '0')}T12:00:00.000Z`,
    frames: (id * 7) % 10,
    score: id % 5 === 0 ? null : id / 2,
    done: id % 2 === 0,
    secret: `s-${id}`,
  };
});

const spec: ListSpec = {
  id: { expr: 'items.id', kind: 'number' },
  name: { expr: 'items.name', kind: 'string', search: true, param: 'icontains' },
  state: { expr: 'items.state', kind: 'string', param: 'exact', choices: STATES },
  stage: { expr: 'items.stage', kind: 'string', param: 'exact' },
  assignee: { expr: 'users.username', kind: 'string', search: true, param: 'exact' },
  frames: { expr: 'items.frames', kind: 'number', param: 'exact' },
  score: { expr: 'items.score', kind: 'number' },
  done: { expr: 'items.done', kind: 'boolean', param: 'exact' },
  created: { expr: 'items.created', kind: 'date' },
  name_length: { expr: sql`length(items.name)`, kind: 'number' },
  secret: { expr: 'items.secret', kind: 'string', search: true, filter: false, sort: false },
};

let pglite: PGlite;
let db: Kysely<TestDb>;

beforeAll(async () => {
  pglite = new PGlite();
  db = new Kysely<TestDb>({ dialect: new PGliteDialect(pglite) });
  await sql`create table users (id integer primary key, username text not null)`.execute(db);
  await sql`
    create table items (
      id integer primary key,
      name text not null,
      state text not null,
      stage text not null,
      assignee_id integer references users(id),
      created timestamptz not null,
      frames integer not null,
      score double precision,
      done boolean not null,
      secret text not null
    )`.execute(db);
  await db.insertInto('users').values(USERS).execute();
  await db
    .insertInto('items')
    .values(
      ROWS.map(({ assignee, created, ...r }) => ({
        ...r,
        created: new Date(created),
        assignee_id: USERS.find((u) => u.username === assignee)?.id ?? null,
      })),
    )
    .execute();
});

afterAll(async () => {
  await db?.destroy();
});

function base() {
  return db
    .selectFrom('items')
    .leftJoin('users', 'users.id', 'items.assignee_id')
    .select(['items.id', 'items.name', 'items.frames', 'items.score', 'users.username as assignee']);
}

function list(query: Record<string, unknown>, opts: ListOptions = { defaultSort: 'id' }) {
  return listPage(base(), spec, query, opts);
}

async function ids(query: Record<string, unknown>, opts?: ListOptions): Promise<number[]> {
  return (await list({ page_size: 'all', ...query }, opts)).rows.map((r) => r.id);
}

function where(pred: (r: Row) => boolean): number[] {
  return ROWS.filter(pred).map((r) => r.id);
}

async function filtered(rule: unknown): Promise<number[]> {
  return ids({ filter: JSON.stringify(rule) });
}

/** PostgreSQL's default NULL placement: NULL sorts as larger than any value. */
function order(...keys: [keyof Row, 'asc' | 'desc'][]): number[] {
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return (a as number | string) < (b as number | string) ? -1 : 1;
  };
  return [...ROWS]
    .sort((x, y) => {
      for (const [k, dir] of keys) {
        const c = cmp(x[k], y[k]);
        if (c !== 0) return dir === 'asc' ? c : -c;
      }
      return 0;
    })
    .map((r) => r.id);
}

async function rejects(query: Record<string, unknown>, code: string, message: string | RegExp): Promise<AppError> {
  const err = await list(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const app = err as AppError;
  expect(app.code).toBe(code);
  if (typeof message === 'string') expect(app.message).toBe(message);
  else expect(app.message).toMatch(message);
  return app;
}

const filterError = (rule: unknown, message: string | RegExp) =>
  rejects({ filter: typeof rule === 'string' ? rule : JSON.stringify(rule) }, 'VALIDATION', message);

const URL_BASE = 'http://example.test/api/items';

describe('parseListQuery', () => {
  it('fills CVAT defaults and keeps per-field parameters', () => {
    expect(parseListQuery({ state: 'new' })).toEqual({ page: 1, page_size: DEFAULT_PAGE_SIZE, state: 'new' });
    expect(DEFAULT_PAGE_SIZE).toBe(10);
  });

  it('coerces query-string numbers and accepts the DRF spellings "last" and "all"', () => {
    expect(parseListQuery({ page: '3', page_size: '25' })).toMatchObject({ page: 3, page_size: 25 });
    expect(parseListQuery({ page: 'last', page_size: 'all' })).toMatchObject({ page: 'last', page_size: 'all' });
  });

  it('is idempotent on already-parsed parameters', () => {
    const once = parseListQuery({ page: '2', page_size: '5', sort: '-id' });
    expect(parseListQuery(once)).toEqual(once);
  });
});

describe('pagination', () => {
  it('returns the first page of the default order with a next link', async () => {
    const page = await list({});
    expect(page).toMatchObject({ count: 25, page: 1, pageSize: 10 });
    expect(page.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page.rows[0]).toEqual({ id: 1, name: 'item 1', frames: 7, score: 0.5, assignee: 'bob' });
    const body = paginated({ base: URL_BASE, query: '' }, page, page.rows);
    expect(body).toEqual({ count: 25, next: `${URL_BASE}?page=2`, previous: null, results: page.rows });
  });

  it('links a middle page both ways; the link to page 1 drops `page` like DRF', async () => {
    const page = await list({ page: '2', sort: 'id' });
    expect(page.rows.map((r) => r.id)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const body = paginated({ base: URL_BASE, query: 'page=2&sort=id' }, page, []);
    expect(body.next).toBe(`${URL_BASE}?page=3&sort=id`);
    expect(body.previous).toBe(`${URL_BASE}?sort=id`);
  });

  it('ends on a short last page with no next link', async () => {
    const page = await list({ page: 3 });
    expect(page.rows.map((r) => r.id)).toEqual([21, 22, 23, 24, 25]);
    const body = paginated({ base: URL_BASE, query: '?page=3&page_size=10' }, page, []);
    expect(body.next).toBeNull();
    expect(body.previous).toBe(`${URL_BASE}?page=2&page_size=10`);
  });

  it('resolves page=last and links back from it with a number', async () => {
    const page = await list({ page: 'last', page_size: '7' });
    expect(page).toMatchObject({ count: 25, page: 4, pageSize: 7 });
    expect(page.rows.map((r) => r.id)).toEqual([22, 23, 24, 25]);
    const body = paginated({ base: URL_BASE, query: 'page=last&page_size=7' }, page, []);
    expect(body.next).toBeNull();
    expect(body.previous).toBe(`${URL_BASE}?page=3&page_size=7`);
  });

  it('has no next page when the count divides evenly', async () => {
    const page = await list({ page: 2, filter: JSON.stringify({ '<=': [{ var: 'id' }, 20] }) });
    expect(page.count).toBe(20);
    expect(paginated({ base: URL_BASE, query: 'page=2' }, page, []).next).toBeNull();
    await rejects({ page: 3, filter: JSON.stringify({ '<=': [{ var: 'id' }, 20] }) }, 'NOT_FOUND', 'Invalid page.');
  });

  it('answers 404 "Invalid page." past the last page, like CVAT', async () => {
    const err = await rejects({ page: '4' }, 'NOT_FOUND', 'Invalid page.');
    expect(err.status).toBe(404);
  });

  it('serves page 1 of an empty result, but nothing after it', async () => {
    const none = JSON.stringify({ '==': [{ var: 'name' }, 'no such item'] });
    const page = await list({ filter: none });
    expect(page).toEqual({ count: 0, page: 1, pageSize: 10, rows: [] });
    expect(paginated({ base: URL_BASE, query: '' }, page, [])).toEqual({ count: 0, next: null, previous: null, results: [] });
    await rejects({ filter: none, page: 2 }, 'NOT_FOUND', 'Invalid page.');
  });

  it('returns everything for page_size=all', async () => {
    const page = await list({ page_size: 'all' });
    expect(page).toMatchObject({ count: 25, page: 1, pageSize: null });
    expect(page.rows).toHaveLength(25);
    expect(paginated({ base: URL_BASE, query: 'page_size=all' }, page, [])).toMatchObject({ next: null, previous: null });
    await rejects({ page_size: 'all', page: 2 }, 'NOT_FOUND', 'Invalid page.');
  });

  it('keeps every other parameter, encoded, in the links', async () => {
    const filter = '{"in":[{"var":"state"},["new","in progress"]]}';
    const query = new URLSearchParams({ search: 'item 1', filter, page: '1', page_size: '2', sort: '-id' }).toString();
    const page = await list(Object.fromEntries(new URLSearchParams(query)));
    const next = new URL(paginated({ base: URL_BASE, query }, page, []).next!);
    expect(`${next.origin}${next.pathname}`).toBe(URL_BASE);
    expect(Object.fromEntries(next.searchParams)).toEqual({ search: 'item 1', filter, page: '2', page_size: '2', sort: '-id' });
    expect([...next.searchParams.keys()]).toEqual(['search', 'filter', 'page', 'page_size', 'sort']);
  });

  it('counts with the caller\'s own WHERE and joins in place', async () => {
    const page = await listPage(base().where('items.done', '=', true), spec, { assignee: 'alice' }, { defaultSort: 'id' });
    const expected = where((r) => r.done && r.assignee === 'alice');
    expect(page.count).toBe(expected.length);
    expect(page.rows.map((r) => r.id)).toEqual(expected.slice(0, 10));
  });
});

describe('sort', () => {
  it('sorts descending with "-"', async () => {
    expect((await list({ sort: '-id' })).rows.map((r) => r.id)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
  });

  it('breaks ties on id so pages never overlap', async () => {
    expect(await ids({ sort: 'frames' })).toEqual(order(['frames', 'asc'], ['id', 'asc']));
    const pages = [];
    for (const p of [1, 2, 3]) pages.push(...(await list({ sort: 'frames', page: p })).rows.map((r) => r.id));
    expect(pages).toEqual(order(['frames', 'asc'], ['id', 'asc']));
  });

  it('takes the tie-breaker direction from the default order', async () => {
    expect(await ids({ sort: 'frames' }, { defaultSort: '-id' })).toEqual(order(['frames', 'asc'], ['id', 'desc']));
    expect(await ids({}, { defaultSort: '-id' })).toEqual(order(['id', 'desc']));
  });

  it('sorts by several fields, mixed directions, including a joined one', async () => {
    expect(await ids({ sort: '-frames,stage' })).toEqual(order(['frames', 'desc'], ['stage', 'asc'], ['id', 'asc']));
    expect(await ids({ sort: 'assignee,-frames' })).toEqual(order(['assignee', 'asc'], ['frames', 'desc'], ['id', 'asc']));
  });

  it('puts NULLs last ascending and first descending (PostgreSQL, as in CVAT)', async () => {
    expect(await ids({ sort: 'score' })).toEqual(order(['score', 'asc'], ['id', 'asc']));
    expect(await ids({ sort: '-score' })).toEqual(order(['score', 'desc'], ['id', 'asc']));
    expect((await ids({ sort: 'score' })).slice(-5)).toEqual([5, 10, 15, 20, 25]);
  });

  it('sorts by an expression field', async () => {
    const byLength = [...ROWS].sort((a, b) => b.name.length - a.name.length || a.id - b.id).map((r) => r.id);
    expect(await ids({ sort: '-name_length' })).toEqual(byLength);
  });

  it('ignores blanks and repeated fields', async () => {
    expect(await ids({ sort: ' stage , -id ,,stage' })).toEqual(order(['stage', 'asc'], ['id', 'desc']));
    expect(await ids({ sort: '' })).toEqual(order(['id', 'asc']));
  });

  it('rejects unknown and unsortable fields, naming the allowed ones', async () => {
    const allowed = 'id, name, state, stage, assignee, frames, score, done, created, name_length';
    await rejects({ sort: 'id,-foo' }, 'VALIDATION', `sort: unknown field "foo"; allowed: ${allowed}`);
    await rejects({ sort: 'secret' }, 'VALIDATION', `sort: field "secret" is not sortable; allowed: ${allowed}`);
    await rejects({ sort: '-' }, 'VALIDATION', /^sort: unknown field ""/);
  });

  it('rejects a bad sort even when nothing matches', async () => {
    await rejects({ sort: 'nope', filter: '{"==":[{"var":"id"},-1]}' }, 'VALIDATION', /^sort: unknown field "nope"/);
  });
});

describe('search', () => {
  it('matches any searchable field, case-insensitively', async () => {
    expect(await ids({ search: 'ALICE' })).toEqual(where((r) => r.assignee === 'alice'));
    expect(await ids({ search: 'Item TWELVE' })).toEqual([12]);
    expect(await ids({ search: 's-7' })).toEqual([7]);
  });

  it('requires every word (split on spaces and commas, as DRF does) somewhere', async () => {
    const has = (r: Row, t: string) => [r.name, r.assignee ?? '', r.secret].some((v) => v.toLowerCase().includes(t));
    expect(await ids({ search: 'item 2' })).toEqual(where((r) => has(r, 'item') && has(r, '2')));
    expect(await ids({ search: 'bob,apples' })).toEqual(where((r) => has(r, 'bob') && has(r, 'apples')));
    expect(await ids({ search: '  item   carol ' })).toEqual(where((r) => has(r, 'item') && has(r, 'carol')));
  });

  it('takes % _ and \\ literally', async () => {
    expect(await ids({ search: '100%' })).toEqual([7]);
    expect(await ids({ search: '%' })).toEqual([7]);
    expect(await ids({ search: 'a_b' })).toEqual([8]);
    expect(await ids({ search: '_' })).toEqual([8]);
    expect(await ids({ search: '\\' })).toEqual([11]);
  });

  it('does nothing for an empty or blank search', async () => {
    expect(await ids({ search: '' })).toHaveLength(25);
    expect(await ids({ search: ' , ' })).toHaveLength(25);
  });

  it('drops NUL characters like DRF instead of failing', async () => {
    expect(await ids({ search: 'ali\0ce' })).toEqual(where((r) => r.assignee === 'alice'));
  });
});

describe('per-field parameters', () => {
  it('matches exact fields exactly', async () => {
    expect(await ids({ state: 'completed' })).toEqual(where((r) => r.state === 'completed'));
    expect(await ids({ assignee: 'alice' })).toEqual(where((r) => r.assignee === 'alice'));
    expect(await ids({ assignee: 'ALICE' })).toEqual([]);
    expect(await ids({ state: 'in progress', stage: 'validation' })).toEqual(
      where((r) => r.state === 'in progress' && r.stage === 'validation'),
    );
  });

  it('matches icontains fields as case-insensitive substrings, wildcards literal', async () => {
    expect(await ids({ name: 'ITEM 1' })).toEqual(where((r) => r.name.toLowerCase().includes('item 1')));
    expect(await ids({ name: '0%' })).toEqual([7]);
  });

  it('converts numbers and booleans from query strings or already-typed values', async () => {
    expect(await ids({ frames: '3' })).toEqual(where((r) => r.frames === 3));
    expect(await ids({ frames: 3 })).toEqual(where((r) => r.frames === 3));
    expect(await ids({ done: 'true' })).toEqual(where((r) => r.done));
    expect(await ids({ done: '0' })).toEqual(where((r) => !r.done));
    expect(await ids({ done: false })).toEqual(where((r) => !r.done));
  });

  it('ignores empty values and takes the last of repeated ones, like Django', async () => {
    expect(await ids({ state: '' })).toHaveLength(25);
    expect(await ids({ state: ['new', 'rejected'] })).toEqual(where((r) => r.state === 'rejected'));
  });

  it('combines with search and filter (AND)', async () => {
    const got = await ids({ done: 'true', search: 'bob', filter: '{">":[{"var":"frames"},2]}' });
    expect(got).toEqual(where((r) => r.done && r.assignee === 'bob' && r.frames > 2));
  });

  it('rejects values of the wrong kind or outside the choices', async () => {
    await rejects({ frames: 'abc' }, 'VALIDATION', 'frames: field "frames" expects a number, got "abc"');
    await rejects({ done: 'maybe' }, 'VALIDATION', 'done: field "done" expects true or false, got "maybe"');
    await rejects({ state: 'Completed' }, 'VALIDATION', 'state: must be one of new, in progress, completed, rejected; got "Completed"');
  });
});

describe('filter (JSON logic)', () => {
  it('handles the CVAT documentation example', async () => {
    const rule = { and: [{ '==': [{ var: 'state' }, 'new'] }, { in: [{ var: 'assignee' }, ['alice', 'bob']] }] };
    expect(await filtered(rule)).toEqual(where((r) => r.state === 'new' && ['alice', 'bob'].includes(r.assignee ?? '')));
  });

  it('compares with == and !=; != keeps NULLs', async () => {
    expect(await filtered({ '==': [{ var: 'stage' }, 'acceptance'] })).toEqual(where((r) => r.stage === 'acceptance'));
    expect(await filtered({ '==': [{ var: 'id' }, 3] })).toEqual([3]);
    expect(await filtered({ '==': [{ var: 'id' }, '3'] })).toEqual([3]);
    expect(await filtered({ '==': [{ var: 'name' }, 'ITEM twelve'] })).toEqual([12]);
    expect(await filtered({ '==': [{ var: 'name' }, 'item twelve'] })).toEqual([]);
    expect(await filtered({ '!=': [{ var: 'assignee' }, 'alice'] })).toEqual(where((r) => r.assignee !== 'alice'));
  });

  it('orders with < <= > >=, the literal on either side', async () => {
    expect(await filtered({ '<': [{ var: 'frames' }, 3] })).toEqual(where((r) => r.frames < 3));
    expect(await filtered({ '<=': [{ var: 'frames' }, 3] })).toEqual(where((r) => r.frames <= 3));
    expect(await filtered({ '>': [{ var: 'score' }, 10] })).toEqual(where((r) => r.score !== null && r.score > 10));
    expect(await filtered({ '>=': [{ var: 'score' }, 10] })).toEqual(where((r) => r.score !== null && r.score >= 10));
    expect(await filtered({ '<': [5, { var: 'frames' }] })).toEqual(where((r) => r.frames > 5));
    expect(await filtered({ '>=': [5, { var: 'frames' }] })).toEqual(where((r) => r.frames <= 5));
  });

  it('tests ranges with 3-argument <= (inclusive, CVAT) and < (exclusive)', async () => {
    expect(await filtered({ '<=': [3, { var: 'frames' }, 6] })).toEqual(where((r) => r.frames >= 3 && r.frames <= 6));
    expect(await filtered({ '<': [3, { var: 'frames' }, 6] })).toEqual(where((r) => r.frames > 3 && r.frames < 6));
  });

  it('compares numbers beyond int4 and fractions without a database error', async () => {
    expect(await filtered({ '<': [{ var: 'id' }, 99999999999] })).toHaveLength(25);
    expect(await filtered({ '<': [{ var: 'id' }, 2.5] })).toEqual([1, 2]);
    expect(await filtered({ in: [{ var: 'id' }, [1, 2.5, 1e12]] })).toEqual([1]);
  });

  it('compares dates, including the range form CVAT\'s UI sends', async () => {
    expect(await filtered({ '>=': [{ var: 'created' }, '2024-01-20'] })).toEqual(where((r) => r.id >= 20));
    expect(await filtered({ '<=': ['2024-01-05', { var: 'created' }, '2024-01-08T23:59:59Z'] })).toEqual([5, 6, 7, 8]);
    expect(await filtered({ '==': [{ var: 'created' }, '2024-01-03T12:00:00Z'] })).toEqual([3]);
  });

  it('compares booleans and expression fields', async () => {
    expect(await filtered({ '==': [{ var: 'done' }, true] })).toEqual(where((r) => r.done));
    expect(await filtered({ '==': [{ var: 'done' }, 'false'] })).toEqual(where((r) => !r.done));
    expect(await filtered({ '>': [{ var: 'name_length' }, 8] })).toEqual(where((r) => r.name.length > 8));
  });

  it('tests membership with in, NULL included when listed, nothing for []', async () => {
    expect(await filtered({ in: [{ var: 'state' }, ['new', 'rejected']] })).toEqual(where((r) => ['new', 'rejected'].includes(r.state)));
    expect(await filtered({ in: [{ var: 'assignee' }, ['carol', null]] })).toEqual(where((r) => r.assignee === 'carol' || r.assignee === null));
    expect(await filtered({ in: [{ var: 'id' }, []] })).toEqual([]);
    expect(await filtered({ in: [{ var: 'frames' }, ['1', 2]] })).toEqual(where((r) => r.frames === 1 || r.frames === 2));
  });

  it('tests substrings with in, case-sensitively like CVAT\'s __contains, wildcards literal', async () => {
    expect(await filtered({ in: ['tem 1', { var: 'name' }] })).toEqual(where((r) => r.name.includes('tem 1')));
    expect(await filtered({ in: ['TEM', { var: 'name' }] })).toEqual([12]);
    expect(await filtered({ in: ['%', { var: 'name' }] })).toEqual([7]);
    expect(await filtered({ in: ['_', { var: 'name' }] })).toEqual([8]);
    expect(await filtered({ in: [1, { var: 'id' }] })).toEqual(where((r) => String(r.id).includes('1')));
  });

  it('compares with null as IS NULL / IS NOT NULL', async () => {
    expect(await filtered({ '==': [{ var: 'assignee' }, null] })).toEqual(where((r) => r.assignee === null));
    expect(await filtered({ '==': [null, { var: 'assignee' }] })).toEqual(where((r) => r.assignee === null));
    expect(await filtered({ '!=': [{ var: 'score' }, null] })).toEqual(where((r) => r.score !== null));
  });

  it('treats a bare var and !! as "is set"', async () => {
    expect(await filtered({ var: 'score' })).toEqual(where((r) => r.score !== null));
    expect(await filtered({ '!!': [{ var: 'assignee' }] })).toEqual(where((r) => r.assignee !== null));
    expect(await filtered({ '!': { var: 'assignee' } })).toEqual(where((r) => r.assignee === null));
  });

  it('negates with !, keeping rows whose field is NULL (Django ~Q semantics)', async () => {
    expect(await filtered({ '!': { '==': [{ var: 'assignee' }, 'alice'] } })).toEqual(where((r) => r.assignee !== 'alice'));
    expect(await filtered({ '!': [{ '>': [{ var: 'score' }, 5] }] })).toEqual(where((r) => !(r.score !== null && r.score > 5)));
  });

  it('nests and / or / ! arbitrarily', async () => {
    const rule = {
      or: [
        { and: [{ '==': [{ var: 'stage' }, 'annotation'] }, { '!': { in: [{ var: 'state' }, ['new', 'completed']] } }] },
        { and: [{ '>=': [{ var: 'id' }, 20] }, { '!': [{ or: [{ '==': [{ var: 'done' }, true] }, { '==': [{ var: 'assignee' }, null] }] }] }] },
      ],
    };
    expect(await filtered(rule)).toEqual(
      where(
        (r) =>
          (r.stage === 'annotation' && !['new', 'completed'].includes(r.state)) || (r.id >= 20 && !(r.done || r.assignee === null)),
      ),
    );
    expect(await filtered({ and: [{ '==': [{ var: 'id' }, 4] }] })).toEqual([4]);
  });

  it('ignores an empty filter parameter, as CVAT does', async () => {
    expect(await ids({ filter: '' })).toHaveLength(25);
  });

  it('binds every value: SQL in a value is only ever data', async () => {
    const evil = "x'); drop table items; --";
    expect(await filtered({ '==': [{ var: 'name' }, evil] })).toEqual([]);
    const compiled = applyListFilters(
      base(),
      spec,
      parseListQuery({ filter: JSON.stringify({ in: [{ var: 'state' }, [evil]] }), search: evil, assignee: evil }),
    ).compile();
    expect(compiled.sql).not.toContain('drop table');
    expect(compiled.parameters).toContain(evil);
    expect(await ids({})).toHaveLength(25);
  });

  describe('errors', () => {
    const allowed = 'id, name, state, stage, assignee, frames, score, done, created, name_length';

    it('rejects malformed JSON and non-rule JSON', async () => {
      await filterError('{"==":', /^filter: not valid JSON \(/);
      await filterError('[1,2]', 'filter: must be a JSON-logic rule object such as {"==":[{"var":"id"},1]}, got [1,2]');
      await filterError('"state"', /^filter: must be a JSON-logic rule object/);
      await filterError('true', /^filter: must be a JSON-logic rule object/);
      await filterError('{}', 'filter: must not be empty');
    });

    it('rejects unknown and non-filterable fields, naming the allowed ones', async () => {
      await filterError({ '==': [{ var: 'foo' }, 1] }, `filter: unknown field "foo"; allowed: ${allowed}`);
      await filterError({ '==': [{ var: 'secret' }, 's-1'] }, `filter: unknown field "secret"; allowed: ${allowed}`);
      await filterError({ var: 'constructor' }, /^filter: unknown field "constructor"/);
      await filterError({ '==': [{ var: 1 }, 1] }, 'filter: "var" takes a field name, got 1');
      await filterError({ '==': [{ var: ['id', 0] }, 1] }, 'filter: "var" takes a field name, got ["id",0]');
    });

    it('rejects unknown operators', async () => {
      await filterError(
        { like: [{ var: 'name' }, 'a%'] },
        'filter: unknown operator "like"; supported: and, or, !, !!, ==, !=, <, <=, >, >=, in, var',
      );
      await filterError({ and: [{ '===': [{ var: 'id' }, 1] }] }, /^filter: unknown operator "==="/);
    });

    it('rejects wrong argument counts', async () => {
      await filterError({ '==': [{ var: 'id' }] }, 'filter: operator "==" takes 2 arguments, got 1 arguments');
      await filterError({ '!=': [{ var: 'id' }, 1, 2] }, 'filter: operator "!=" takes 2 arguments, got 3 arguments');
      await filterError({ '>': [1, { var: 'id' }, 3] }, 'filter: operator ">" takes 2 arguments, got 3 arguments');
      await filterError({ '<': [1, { var: 'id' }, 3, 4] }, 'filter: operator "<" takes 2 or 3 arguments, got 4 arguments');
      await filterError({ '==': { var: 'id' } }, 'filter: operator "==" takes 2 arguments, got {"var":"id"}');
      await filterError({ in: [{ var: 'id' }] }, 'filter: operator "in" takes 2 arguments, got 1 arguments');
      await filterError({ '!': [{ var: 'id' }, { var: 'name' }] }, 'filter: operator "!" takes 1 argument, got 2');
      await filterError({ and: [] }, 'filter: operator "and" takes a non-empty array of rules');
      await filterError({ or: { var: 'id' } }, 'filter: operator "or" takes a non-empty array of rules');
    });

    it('rejects comparisons that are not one var against one value', async () => {
      await filterError({ '==': [{ var: 'id' }, { var: 'frames' }] }, /^filter: operator "==" compares one \{"var": field\} with a value/);
      await filterError({ '==': [1, 1] }, /^filter: operator "==" compares one/);
      await filterError({ '<=': [{ var: 'id' }, 1, 5] }, /^filter: operator "<=" with 3 arguments is a range test/);
      await filterError({ '<=': [null, { var: 'id' }, 5] }, /^filter: operator "<=" with 3 arguments is a range test/);
      await filterError({ in: ['a', 'abc'] }, /^filter: operator "in" takes \[\{"var": field\}, \[values\]\]/);
      await filterError({ in: [{ var: 'id' }, 3] }, /^filter: operator "in" takes/);
    });

    it('rejects values of the wrong kind, null orderings and nested objects', async () => {
      await filterError({ '==': [{ var: 'id' }, 'abc'] }, 'filter: field "id" expects a number, got "abc"');
      await filterError({ '>': [{ var: 'created' }, 'yesterday'] }, 'filter: field "created" expects an ISO 8601 date or date-time, got "yesterday"');
      await filterError({ '==': [{ var: 'done' }, 'maybe'] }, 'filter: field "done" expects true or false, got "maybe"');
      await filterError({ '==': [{ var: 'name' }, true] }, 'filter: field "name" expects a string, got true');
      await filterError({ in: [{ var: 'id' }, [1, 'x']] }, 'filter: field "id" expects a number, got "x"');
      await filterError({ '==': [{ var: 'name' }, { a: 1 }] }, 'filter: field "name" is compared with a value, got {"a":1}');
      await filterError({ '<': [{ var: 'score' }, null] }, 'filter: operator "<" cannot compare with null');
      await filterError({ '==': [{ var: 'name' }, 'a\0b'] }, 'filter: field "name": NUL characters are not allowed');
    });

    it('rejects malformed rule objects', async () => {
      await filterError({ '==': [{ var: 'id' }, 1], '!=': [{ var: 'id' }, 2] }, 'filter: a rule has exactly one operator, got "==", "!="');
      await filterError({ and: [{}] }, 'filter: empty rule {}');
      await filterError({ and: [1] }, 'filter: expected a rule object such as {"op": [args]}, got 1');
    });

    it('rejects absurdly deep nesting', async () => {
      let rule: unknown = { '==': [{ var: 'id' }, 1] };
      for (let i = 0; i < 40; i++) rule = { '!': rule };
      await filterError(rule, 'filter: rules are nested too deeply (limit 32)');
    });

    it('reports errors as 400 with the parameter in details', async () => {
      const err = await filterError({ '==': [{ var: 'foo' }, 1] }, /unknown field/);
      expect(err.status).toBe(400);
      expect(err.details).toEqual([{ field: 'filter', message: expect.stringContaining('unknown field "foo"') }]);
    });

    it('is usable on its own', () => {
      expect(() => jsonLogicFilter('{"==":[{"var":"x"},1]}', {})).toThrow('filter: unknown field "x"; allowed: ');
    });
  });
});

describe('parameter errors', () => {
  it('rejects bad page numbers', async () => {
    for (const page of ['0', '-1', 'abc', '1.5', '', ['1', '2']]) {
      await rejects({ page }, 'VALIDATION', 'page: must be a positive integer or "last"');
    }
  });

  it('rejects bad page sizes', async () => {
    for (const page_size of ['0', '1001', 'abc', '2.5', 'ALL']) {
      await rejects({ page_size }, 'VALIDATION', 'page_size: must be an integer from 1 to 1000 or "all"');
    }
    expect((await list({ page_size: '1000' })).rows).toHaveLength(25);
  });

  it('rejects sort/search/filter given more than once', async () => {
    await rejects({ sort: ['id', 'name'] }, 'VALIDATION', /^sort: /);
    await rejects({ filter: ['{}', '{}'] }, 'VALIDATION', /^filter: /);
  });
});

describe('programmer errors', () => {
  it('refuses a base query whose count or pages would be wrong', async () => {
    await expect(listPage(base().orderBy('items.name'), spec, {}, { defaultSort: 'id' })).rejects.toThrow(/ORDER BY/);
    await expect(listPage(base().distinct(), spec, {}, { defaultSort: 'id' })).rejects.toThrow(/DISTINCT/);
    await expect(listPage(base().groupBy(['items.id', 'users.username']), spec, {}, { defaultSort: 'id' })).rejects.toThrow(/GROUP BY/);
  });

  it('refuses a spec that cannot work', async () => {
    await expect(listPage(base(), { ...spec, page: { expr: 'items.id', kind: 'number', param: 'exact' } }, {}, { defaultSort: 'id' })).rejects.toThrow(
      /reserved/,
    );
    await expect(listPage(base(), spec, {}, { defaultSort: 'nope' })).rejects.toThrow(/defaultSort/);
    await expect(listPage(base(), spec, {}, { defaultSort: 'name', tieBreaker: 'uid' })).rejects.toThrow(/tie-breaker/);
  });
});
