/**
 * Projects, read together with what their CVAT representation derives from other tables: owner
 * and assignee names, task count, the subsets and dimension of their tasks.
 */
import { sql, type Expression, type Insertable, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB, ProjectRow, ProjectsTable } from '../db/schema.js';
import { listPage, type ListPage, type ListSpec } from '../http/list-query.js';
import type { Scoped } from './label.repository.js';

export interface PersonRef {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

export interface ProjectDetails extends ProjectRow {
  owner: PersonRef | null;
  assignee: PersonRef | null;
  tasks_count: number;
  task_subsets: string[];
  /** That of its first task; null while it has none (CVAT fixes it with the first task). */
  dimension: string | null;
}

export const PROJECT_STATUSES = ['annotation', 'validation', 'completed'] as const;

// CVAT's ProjectViewSet: search (assignee, name, owner), simple filters (name, owner, assignee,
// status), sort and JSON-logic filter over these plus id and updated_date; owner and assignee
// are matched by username.
const PROJECT_FIELDS: ListSpec = {
  id: { expr: 'projects.id', kind: 'number' },
  name: { expr: 'projects.name', kind: 'string', search: true, param: 'exact' },
  owner: { expr: 'owner.username', kind: 'string', search: true, param: 'exact' },
  assignee: { expr: 'assignee.username', kind: 'string', search: true, param: 'exact' },
  status: { expr: 'projects.status', kind: 'string', param: 'exact', choices: PROJECT_STATUSES },
  updated_date: { expr: 'projects.updated_at', kind: 'date' },
};

export class ProjectRepository {
  constructor(private readonly db: Db | Transaction<DB>) {}

  on(db: Db | Transaction<DB>): ProjectRepository {
    return db === this.db ? this : new ProjectRepository(db);
  }

  /** Runs `fn` in one transaction; everything it does through `on(trx)` commits or rolls back together. */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async insert(values: Insertable<ProjectsTable>): Promise<ProjectRow> {
    return this.db.insertInto('projects').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** Also bumps updated_at; undefined when the project is gone. */
  async update(id: number, values: Updateable<ProjectsTable>): Promise<ProjectRow | undefined> {
    return this.db
      .updateTable('projects')
      .set({ ...values, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** Deletes the project with its tasks and labels (ON DELETE CASCADE); returns the ids of the tasks removed. */
  async delete(id: number): Promise<number[] | undefined> {
    const tasks = await this.db.selectFrom('tasks').select('id').where('project_id', '=', id).forUpdate().execute();
    const deleted = await this.db.deleteFrom('projects').where('id', '=', id).returning('id').executeTakeFirst();
    return deleted ? tasks.map((t) => t.id) : undefined;
  }

  async findDetails(id: number): Promise<ProjectDetails | undefined> {
    const row = await this.details().where('projects.id', '=', id).executeTakeFirst();
    return row && toDetails(row);
  }

  async list(scope: Expression<SqlBool>, query: Record<string, unknown>): Promise<ListPage<ProjectDetails>> {
    const page = await listPage(this.details().where(scope), PROJECT_FIELDS, query, { defaultSort: '-id' });
    return { ...page, rows: page.rows.map(toDetails) };
  }

  /** The project with `allowed` telling whether `action` holds; undefined when `view` does not. */
  async findScoped(id: number, view: Expression<SqlBool>, action: Expression<SqlBool>): Promise<Scoped<ProjectRow> | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll('projects')
      .select(sql<boolean>`${action}`.as('allowed'))
      .where('projects.id', '=', id)
      .where(view)
      .executeTakeFirst();
    if (!row) return undefined;
    const { allowed, ...project } = row;
    return { row: project, allowed: Boolean(allowed) };
  }

  private details() {
    return this.db
      .selectFrom('projects')
      .leftJoin('users as owner', 'owner.id', 'projects.owner_id')
      .leftJoin('users as assignee', 'assignee.id', 'projects.assignee_id')
      .selectAll('projects')
      .select([
        'owner.username as owner_username',
        'owner.first_name as owner_first_name',
        'owner.last_name as owner_last_name',
        'assignee.username as assignee_username',
        'assignee.first_name as assignee_first_name',
        'assignee.last_name as assignee_last_name',
        sql<number>`(select count(*)::int from tasks t where t.project_id = projects.id)`.as('tasks_count'),
        sql<string[]>`(select coalesce(json_agg(distinct t.subset order by t.subset), '[]'::json)
          from tasks t where t.project_id = projects.id and t.subset <> '')`.as('task_subsets'),
        sql<string | null>`(select t.dimension from tasks t where t.project_id = projects.id order by t.id limit 1)`.as('dimension'),
      ]);
  }
}

type DetailsRow = ProjectRow & {
  owner_username: string | null;
  owner_first_name: string | null;
  owner_last_name: string | null;
  assignee_username: string | null;
  assignee_first_name: string | null;
  assignee_last_name: string | null;
  tasks_count: number;
  task_subsets: string[];
  dimension: string | null;
};

function toDetails(r: DetailsRow): ProjectDetails {
  const {
    owner_username,
    owner_first_name,
    owner_last_name,
    assignee_username,
    assignee_first_name,
    assignee_last_name,
    tasks_count,
    task_subsets,
    dimension,
    ...project
  } = r;
  const person = (id: number | null, username: string | null, first: string | null, last: string | null): PersonRef | null =>
    id !== null && username !== null ? { id, username, first_name: first ?? '', last_name: last ?? '' } : null;
  return {
    ...project,
    owner: person(project.owner_id, owner_username, owner_first_name, owner_last_name),
    assignee: person(project.assignee_id, assignee_username, assignee_first_name, assignee_last_name),
    tasks_count: Number(tasks_count),
    task_subsets: task_subsets ?? [],
    dimension,
  };
}
