/**
 * CVAT's `filter` query parameter: a JSON-logic rule (https://jsonlogic.com) over a per-endpoint
 * whitelist of fields, translated into one parameterised SQL predicate.
 *
 * The operator set and their meaning follow CVAT's JsonLogicFilter._build_Q
 * (cvat/apps/engine/filters.py), which turns the rule into a Django Q object:
 *   and / or          n-ary conjunction / disjunction
 *   !                 negation; like Django's `~Q`, a row whose field is NULL counts as "not matching"
 *                     the inner rule, so `!` keeps it (SQL three-valued NOT would drop it)
 *   !!, bare var      field IS NOT NULL
 *   == < <= > >=      var against a literal; `== null` is IS NULL
 *   <= with 3 args    inclusive between: {"<=": [lo, {"var": f}, hi]}
 *   in                {"in": [{"var": f}, [a, b]]} membership; {"in": ["abc", {"var": f}]}
 *                     case-sensitive substring (Django `__contains`)
 * Additions CVAT lacks, all standard JSON-logic: `!=`, `<` with 3 args (exclusive between), the
 * literal on the left of a comparison, and `null` inside an `in` list.
 *
 * Field names and operators are only ever looked up in fixed tables; every client value reaches
 * the database as a bound parameter.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { AppError } from '../errors.js';

export type FieldKind = 'number' | 'string' | 'boolean' | 'date';

/** What the SQL layer needs to know about a field. */
export interface SqlField {
  /** A column reference such as 'tasks.name' (quoted via sql.ref) or any expression valid in WHERE. */
  expr: string | Expression<unknown>;
  kind: FieldKind;
}

export type Scalar = string | number | boolean;

/** Deeper rules than this are not hand-written filters; refuse them before they cost anything. */
export const MAX_FILTER_DEPTH = 32;

export const FILTER_OPERATORS = ['and', 'or', '!', '!!', '==', '!=', '<', '<=', '>', '>=', 'in', 'var'] as const;

export function fieldSql(field: SqlField): Expression<unknown> {
  return typeof field.expr === 'string' ? sql.ref(field.expr) : field.expr;
}

const EXPECTED: Record<FieldKind, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  date: 'an ISO 8601 date or date-time',
};

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Brings a client value to the field's kind, the way Django's field `to_python` would accept it
 * ("3" for a number, "true" for a boolean); undefined when it cannot be.
 */
function coerce(kind: FieldKind, v: unknown): Scalar | undefined {
  switch (kind) {
    case 'number':
      if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
      if (typeof v === 'string' && NUMBER_RE.test(v.trim())) return Number(v.trim());
      return undefined;
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      return undefined;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 0) return v === 1;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
      }
      return undefined;
    case 'date':
      return typeof v === 'string' && DATE_RE.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))) ? v : undefined;
  }
}

/**
 * A client value for `field`, validated. `param` names the query parameter for the error message.
 * Throws VALIDATION when the value does not fit the field's kind.
 */
export function fieldValue(param: string, name: string, field: SqlField, v: unknown): Scalar {
  // PostgreSQL text cannot hold NUL; let it through and the driver fails with a 500.
  if (typeof v === 'string' && v.includes('\0')) throw AppError.invalid(param, `field "${name}": NUL characters are not allowed`);
  const value = coerce(field.kind, v);
  if (value === undefined) {
    throw AppError.invalid(param, `field "${name}" expects ${EXPECTED[field.kind]}, got ${show(v)}`);
  }
  return value;
}

/**
 * The bound parameter for a validated value. Numbers get an explicit type so that an integer too
 * large for an int4 column, or a fraction compared with one, is a comparison rather than a
 * PostgreSQL cast error; bigint still uses btree indexes on int4 columns (same operator family).
 */
export function valueSql(kind: FieldKind, v: Scalar): RawBuilder<unknown> {
  switch (kind) {
    case 'number':
      return Number.isSafeInteger(v) ? sql`cast(${v} as bigint)` : sql`cast(${v} as double precision)`;
    case 'boolean':
      return sql`cast(${v} as boolean)`;
    case 'date':
      return sql`cast(${v} as timestamptz)`;
    case 'string':
      return sql`${v}`;
  }
}

/** A LIKE pattern matching `s` anywhere, with LIKE's own metacharacters taken literally. */
export function containsPattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Case-insensitive substring match (Django `icontains`); any kind is compared as its text form. */
export function icontainsSql(expr: Expression<unknown>, s: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`cast(${expr} as text) ilike ${containsPattern(s)}`;
}

/**
 * Parses and translates a `filter` parameter. Throws VALIDATION (parameter `filter`) for malformed
 * JSON, unknown fields or operators, wrong argument counts and values of the wrong kind.
 */
export function jsonLogicFilter(text: string, fields: Readonly<Record<string, SqlField>>): RawBuilder<SqlBool> {
  let rule: unknown;
  try {
    rule = JSON.parse(text);
  } catch (e) {
    throw invalid(`not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(rule)) throw invalid(`must be a JSON-logic rule object such as {"==":[{"var":"id"},1]}, got ${show(rule)}`);
  if (Object.keys(rule).length === 0) throw invalid('must not be empty');
  return new Translator(fields).rule(rule, 1);
}

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

// The SQL spelling of each comparison, and the operator with its sides swapped. Only these
// constants ever reach sql.raw.
const SQL_OP: Record<CompareOp, string> = { '==': '=', '!=': 'is distinct from', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const FLIPPED: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

class Translator {
  constructor(private readonly fields: Readonly<Record<string, SqlField>>) {}

  rule(node: unknown, depth: number): RawBuilder<SqlBool> {
    if (depth > MAX_FILTER_DEPTH) throw invalid(`rules are nested too deeply (limit ${MAX_FILTER_DEPTH})`);
    if (!isPlainObject(node)) throw invalid(`expected a rule object such as {"op": [args]}, got ${show(node)}`);
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      throw invalid(keys.length === 0 ? 'empty rule {}' : `a rule has exactly one operator, got ${keys.map((k) => `"${k}"`).join(', ')}`);
    }
    const op = keys[0]!;
    const args = node[op];
    switch (op) {
      case 'and':
      case 'or': {
        if (!Array.isArray(args) || args.length === 0) throw invalid(`operator "${op}" takes a non-empty array of rules`);
        const parts = args.map((a) => this.rule(a, depth + 1));
        if (parts.length === 1) return parts[0]!;
        return sql<SqlBool>`(${sql.join(parts, op === 'and' ? sql` and ` : sql` or `)})`;
      }
      case '!':
        // IS NOT TRUE rather than NOT: a NULL field makes the inner test unknown, and like
        // Django's ~Q the row should then count as "not matching", i.e. be kept.
        return sql<SqlBool>`((${this.rule(single(op, args), depth + 1)}) is not true)`;
      case '!!':
        return this.rule(single(op, args), depth + 1);
      case 'var':
        return sql<SqlBool>`(${fieldSql(this.field(args))} is not null)`;
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(op, args);
      case 'in':
        return this.in(args);
      default:
        throw invalid(`unknown operator "${op}"; supported: ${FILTER_OPERATORS.join(', ')}`);
    }
  }

  private compare(op: CompareOp, args: unknown): RawBuilder<SqlBool> {
    const between = op === '<' || op === '<=';
    if (!Array.isArray(args) || !(args.length === 2 || (between && args.length === 3))) {
      const n = Array.isArray(args) ? `${args.length} arguments` : show(args);
      throw invalid(`operator "${op}" takes ${between ? '2 or 3' : '2'} arguments, got ${n}`);
    }
    if (args.length === 3 && (op === '<' || op === '<=')) return this.between(op, args);

    const [left, right] = args;
    let name: string;
    let literal: unknown;
    let actual = op;
    if (isVar(left) && !isVar(right)) {
      name = this.varName(left);
      literal = right;
    } else if (isVar(right) && !isVar(left)) {
      name = this.varName(right);
      literal = left;
      actual = FLIPPED[op];
    } else {
      throw invalid(`operator "${op}" compares one {"var": field} with a value, got ${show(args)}`);
    }
    const field = this.field(name);
    const expr = fieldSql(field);
    if (literal === null) {
      if (actual === '==') return sql<SqlBool>`(${expr} is null)`;
      if (actual === '!=') return sql<SqlBool>`(${expr} is not null)`;
      throw invalid(`operator "${op}" cannot compare with null`);
    }
    const value = valueSql(field.kind, this.literal(name, field, literal));
    return sql<SqlBool>`(${expr} ${sql.raw(SQL_OP[actual])} ${value})`;
  }

  private between(op: '<' | '<=', args: unknown[]): RawBuilder<SqlBool> {
    const [lo, mid, hi] = args;
    if (!isVar(mid) || isVar(lo) || isVar(hi) || lo === null || hi === null) {
      throw invalid(`operator "${op}" with 3 arguments is a range test [low, {"var": field}, high], got ${show(args)}`);
    }
    const name = this.varName(mid);
    const field = this.field(name);
    const expr = fieldSql(field);
    const cmp = sql.raw(SQL_OP[op]);
    const low = valueSql(field.kind, this.literal(name, field, lo));
    const high = valueSql(field.kind, this.literal(name, field, hi));
    return sql<SqlBool>`(${low} ${cmp} ${expr} and ${expr} ${cmp} ${high})`;
  }

  private in(args: unknown): RawBuilder<SqlBool> {
    if (!Array.isArray(args) || args.length !== 2) {
      throw invalid(`operator "in" takes 2 arguments, got ${Array.isArray(args) ? `${args.length} arguments` : show(args)}`);
    }
    const [needle, haystack] = args;
    if (isVar(needle) && Array.isArray(haystack)) {
      const name = this.varName(needle);
      const field = this.field(name);
      const expr = fieldSql(field);
      const values = haystack.filter((v) => v !== null).map((v) => valueSql(field.kind, this.literal(name, field, v)));
      const withNull = values.length < haystack.length;
      const inList = values.length > 0 ? sql<SqlBool>`${expr} in (${sql.join(values)})` : sql<SqlBool>`false`;
      return withNull ? sql<SqlBool>`(${inList} or ${expr} is null)` : sql<SqlBool>`(${inList})`;
    }
    if (isVar(haystack) && (typeof needle === 'string' || typeof needle === 'number')) {
      const name = this.varName(haystack);
      const field = this.field(name);
      const text = String(needle);
      if (text.includes('\0')) throw invalid(`field "${name}": NUL characters are not allowed`);
      // Case-sensitive like CVAT's Django `__contains`; the text form lets it apply to any kind.
      return sql<SqlBool>`(cast(${fieldSql(field)} as text) like ${containsPattern(text)})`;
    }
    throw invalid(
      `operator "in" takes [{"var": field}, [values]] (membership) or ["text", {"var": field}] (substring), got ${show(args)}`,
    );
  }

  private literal(name: string, field: SqlField, v: unknown): Scalar {
    if (v !== null && typeof v === 'object') throw invalid(`field "${name}" is compared with a value, got ${show(v)}`);
    return fieldValue('filter', name, field, v);
  }

  private varName(node: Record<string, unknown>): string {
    return this.nameOf(node['var']);
  }

  private nameOf(arg: unknown): string {
    if (typeof arg !== 'string') throw invalid(`"var" takes a field name, got ${show(arg)}`);
    return arg;
  }

  private field(arg: unknown): SqlField {
    const name = this.nameOf(arg);
    const field = Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
    if (!field) throw invalid(`unknown field "${name}"; allowed: ${Object.keys(this.fields).join(', ')}`);
    return field;
  }
}

/** `!` and `!!` take one rule, written bare or, as jsonlogic.com does, in a one-element array. */
function single(op: string, args: unknown): unknown {
  if (!Array.isArray(args)) return args;
  if (args.length !== 1) throw invalid(`operator "${op}" takes 1 argument, got ${args.length}`);
  return args[0];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isVar(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && Object.keys(v).length === 1 && 'var' in v;
}

function invalid(message: string): AppError {
  return AppError.invalid('filter', message);
}

/** Client input echoed in an error, cut short so a huge filter does not make a huge message. */
function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
