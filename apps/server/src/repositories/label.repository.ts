/**
 * Labels with their attributes and skeleton points. A label belongs to a project or to a task
 * (never both); a skeleton's points are labels too, with parent_id set and the same owner.
 */
import { sql, type Expression, type Simplify, type SqlBool, type Transaction } from 'kysely';
import { LABEL_TYPES } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { AttributeRow, DB, LabelRow } from '../db/schema.js';
import { listPage, type ListPage, type ListSpec } from '../http/list-query.js';

export type LabelOwner = { projectId: number } | { taskId: number };

export interface AttributeRecord {
  id: number;
  name: string;
  mutable: boolean;
  input_type: string;
  default_value: string;
  values: string[];
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  type: string;
  svg: string;
  project_id: number | null;
  task_id: number | null;
  parent_id: number | null;
  attributes: AttributeRecord[];
  /** Empty for every label but a skeleton. */
  sublabels: LabelRecord[];
}

export interface NewLabel {
  name: string;
  color: string;
  type: string;
  svg: string;
  parent_id: number | null;
  position: number;
}

export interface NewAttribute {
  name: string;
  mutable: boolean;
  input_type: string;
  default_value: string;
  values: string[];
}

/** What access checks need to know about a task or job that owns (or shares) labels. */
export interface TaskRef {
  id: number;
  project_id: number | null;
}
export interface JobRef {
  id: number;
  task_id: number;
  project_id: number | null;
}

const LABEL_FIELDS: ListSpec = {
  id: { expr: 'labels.id', kind: 'number' },
  name: { expr: 'labels.name', kind: 'string', search: true, param: 'exact' },
  parent: { expr: 'parent.name', kind: 'string', search: true, param: 'exact' },
  parent_id: { expr: 'labels.parent_id', kind: 'number', param: 'exact' },
  type: { expr: 'labels.type', kind: 'string', param: 'exact', choices: LABEL_TYPES },
  color: { expr: 'labels.color', kind: 'string', param: 'exact' },
};

export function ownerColumn(owner: LabelOwner): { column: 'project_id' | 'task_id'; id: number } {
  return 'projectId' in owner ? { column: 'project_id', id: owner.projectId } : { column: 'task_id', id: owner.taskId };
}

export class LabelRepository {
  constructor(private readonly db: Db | Transaction<DB>) {}

  /** The same repository running on `db`, typically a transaction. */
  on(db: Db | Transaction<DB>): LabelRepository {
    return db === this.db ? this : new LabelRepository(db);
  }

  /** Runs `fn` in one transaction; pass the transaction to on() for the writes. */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Top-level labels of the owner with their attributes and points, in creation order. */
  async listForOwner(owner: LabelOwner): Promise<LabelRecord[]> {
    const { column, id } = ownerColumn(owner);
    const rows = await this.db
      .selectFrom('labels')
      .selectAll()
      .where(column, '=', id)
      .where('parent_id', 'is', null)
      .orderBy('id')
      .execute();
    return this.withChildren(rows);
  }

  /** The labels a task's annotations use: its project's when it is in one, else its own. */
  async listForTask(taskId: number): Promise<LabelRecord[]> {
    const task = await this.db.selectFrom('tasks').select(['id', 'project_id']).where('id', '=', taskId).executeTakeFirst();
    if (!task) return [];
    return this.listForOwner(task.project_id !== null ? { projectId: task.project_id } : { taskId: task.id });
  }

  async listForJob(jobId: number): Promise<LabelRecord[]> {
    const job = await this.db.selectFrom('jobs').select('task_id').where('id', '=', jobId).executeTakeFirst();
    return job ? this.listForTask(job.task_id) : [];
  }

  /** Top-level labels only: a skeleton counts once, however many points it has. */
  async countByOwner(owner: LabelOwner): Promise<number> {
    const { column, id } = ownerColumn(owner);
    const row = await this.db
      .selectFrom('labels')
      .select(sql<number>`count(*)::int`.as('n'))
      .where(column, '=', id)
      .where('parent_id', 'is', null)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** The label with its children; undefined when absent or outside `scope` (a predicate over `labels`). */
  async findById(id: number, scope?: Expression<SqlBool>): Promise<LabelRecord | undefined> {
    let query = this.db.selectFrom('labels').selectAll().where('labels.id', '=', id);
    if (scope) query = query.where(scope);
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    return (await this.withChildren([row]))[0];
  }

  /** A page of labels matching `scope` and the client's list parameters, children included. */
  async list(scope: Expression<SqlBool>, query: Record<string, unknown>): Promise<ListPage<LabelRecord>> {
    const base = this.db
      .selectFrom('labels')
      .leftJoin('labels as parent', 'parent.id', 'labels.parent_id')
      .selectAll('labels')
      .where(scope);
    const page = await listPage(base, LABEL_FIELDS, query, { defaultSort: 'id' });
    return { ...page, rows: await this.withChildren(page.rows) };
  }

  /** Serialises label changes of one owner: label names have no unique index to do it. */
  async lockOwner(owner: LabelOwner): Promise<boolean> {
    const { id } = ownerColumn(owner);
    const table = 'projectId' in owner ? 'projects' : 'tasks';
    const row = await this.db.selectFrom(table).select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Marks the owner changed, and everything under it, as CVAT does: clients compare
   * updated_date to know that the labels a task or job uses have changed.
   */
  async touchOwner(owner: LabelOwner): Promise<void> {
    if ('projectId' in owner) {
      const id = owner.projectId;
      await this.db.updateTable('projects').set({ updated_at: sql`now()` }).where('id', '=', id).execute();
      await this.db.updateTable('tasks').set({ updated_at: sql`now()` }).where('project_id', '=', id).execute();
      await this.db
        .updateTable('jobs')
        .set({ updated_at: sql`now()` })
        .where('task_id', 'in', (eb) => eb.selectFrom('tasks').select('id').where('project_id', '=', id))
        .execute();
    } else {
      const id = owner.taskId;
      await this.db.updateTable('tasks').set({ updated_at: sql`now()` }).where('id', '=', id).execute();
      await this.db.updateTable('jobs').set({ updated_at: sql`now()` }).where('task_id', '=', id).execute();
    }
  }

  /** Every color in use by the owner's labels and points, for picking a new one. */
  async colorsOf(owner: LabelOwner): Promise<string[]> {
    const { column, id } = ownerColumn(owner);
    const rows = await this.db.selectFrom('labels').select('color').where(column, '=', id).execute();
    return rows.map((r) => r.color);
  }

  async insertLabel(owner: LabelOwner, label: NewLabel): Promise<number> {
    const { column, id } = ownerColumn(owner);
    const row = await this.db
      .insertInto('labels')
      .values({ ...label, [column]: id })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async updateLabel(id: number, values: Partial<Pick<NewLabel, 'name' | 'color' | 'type' | 'svg'>>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('labels').set(values).where('id', '=', id).execute();
  }

  /** Its points and attributes go with it (ON DELETE CASCADE). */
  async deleteLabel(id: number): Promise<void> {
    await this.db.deleteFrom('labels').where('id', '=', id).execute();
  }

  async insertAttributes(labelId: number, attributes: NewAttribute[]): Promise<void> {
    if (attributes.length === 0) return;
    await this.db
      .insertInto('label_attributes')
      .values(attributes.map((a, position) => ({ ...a, values: JSON.stringify(a.values), label_id: labelId, position })))
      .execute();
  }

  async updateAttribute(id: number, a: NewAttribute): Promise<void> {
    await this.db
      .updateTable('label_attributes')
      .set({ ...a, values: JSON.stringify(a.values) })
      .where('id', '=', id)
      .execute();
  }

  async deleteAttribute(id: number): Promise<void> {
    await this.db.deleteFrom('label_attributes').where('id', '=', id).execute();
  }

  /** A task with `allowed` telling whether `action` holds; undefined when `view` does not. */
  async findTask(id: number, view: Expression<SqlBool>, action: Expression<SqlBool>): Promise<Scoped<TaskRef> | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .select(['tasks.id', 'tasks.project_id', sql<boolean>`${action}`.as('allowed')])
      .where('tasks.id', '=', id)
      .where(view)
      .executeTakeFirst();
    return row && { row: { id: row.id, project_id: row.project_id }, allowed: Boolean(row.allowed) };
  }

  async findJob(id: number, view: Expression<SqlBool>, action: Expression<SqlBool>): Promise<Scoped<JobRef> | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .innerJoin('tasks', 'tasks.id', 'jobs.task_id')
      .select(['jobs.id', 'jobs.task_id', 'tasks.project_id', sql<boolean>`${action}`.as('allowed')])
      .where('jobs.id', '=', id)
      .where(view)
      .executeTakeFirst();
    return row && { row: { id: row.id, task_id: row.task_id, project_id: row.project_id }, allowed: Boolean(row.allowed) };
  }

  private async withChildren(rows: Array<Simplify<LabelRow>>): Promise<LabelRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const subs = await this.db.selectFrom('labels').selectAll().where('parent_id', 'in', ids).orderBy('id').execute();
    const attrs = await this.db
      .selectFrom('label_attributes')
      .selectAll()
      .where('label_id', 'in', [...ids, ...subs.map((s) => s.id)])
      .orderBy('id')
      .execute();
    const attrsOf = groupBy(attrs, (a) => a.label_id);
    const subsOf = groupBy(subs, (s) => s.parent_id!);
    const record = (r: LabelRow, sublabels: LabelRecord[]): LabelRecord => ({
      id: r.id,
      name: r.name,
      color: r.color,
      type: r.type,
      svg: r.svg,
      project_id: r.project_id,
      task_id: r.task_id,
      parent_id: r.parent_id,
      attributes: (attrsOf.get(r.id) ?? []).map(toAttribute),
      sublabels,
    });
    return rows.map((r) => record(r, (subsOf.get(r.id) ?? []).map((s) => record(s, []))));
  }
}

export interface Scoped<T> {
  row: T;
  allowed: boolean;
}

function toAttribute(a: AttributeRow): AttributeRecord {
  return {
    id: a.id,
    name: a.name,
    mutable: a.mutable,
    input_type: a.input_type,
    default_value: a.default_value,
    values: a.values,
  };
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
