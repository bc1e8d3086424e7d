import { sql, type Kysely } from 'kysely';

/**
 * Quality settings, reports and conflicts (CVAT's /api/quality/*), and immediate feedback.
 *
 * - quality_settings: one row per project and per task, as CVAT keeps them. `settings` holds the
 *   comparison settings as JSON (core's QualitySettings, read over the defaults, so a setting
 *   added later needs no migration); `inherit` is a column because lists filter on it. Rows are
 *   made by triggers when a project or task is inserted, whichever code path inserts it (task
 *   creation, backup restore, dataset import), as CVAT makes them in a post_save signal; the
 *   existing projects and tasks get theirs here.
 * - quality_reports: job, task and project reports. A job report names its job and task, a task
 *   report its task, a project report its project; the task's project is read through the task
 *   (tasks can move), so a project's list joins tasks. Each report has at most one parent (a
 *   project report recomputes its tasks' reports rather than sharing older ones). `summary` is
 *   what lists show; `data` the full comparison report as JSON text, read only by /data.
 * - quality_conflicts: the conflicts of job reports (task and project reports have none of their
 *   own, as in CVAT), with the compared job and its task copied for the list filters.
 * - quality_job_feedback: each immediate-feedback check of a job, and the assignee it counted
 *   against (attempts are per assignee).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table quality_settings (
      id serial primary key,
      project_id integer unique references projects(id) on delete cascade,
      task_id integer unique references tasks(id) on delete cascade,
      settings jsonb not null default '{}',
      inherit boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((project_id is null) <> (task_id is null))
    );
    insert into quality_settings (project_id) select id from projects order by id;
    insert into quality_settings (task_id) select id from tasks order by id;

    create function quality_settings_for_new_row() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'projects' then
        insert into quality_settings (project_id) values (new.id) on conflict do nothing;
      else
        insert into quality_settings (task_id) values (new.id) on conflict do nothing;
      end if;
      return null;
    end
    $$;
    create trigger projects_quality_settings after insert on projects
      for each row execute function quality_settings_for_new_row();
    create trigger tasks_quality_settings after insert on tasks
      for each row execute function quality_settings_for_new_row();

    create table quality_reports (
      id serial primary key,
      target text not null check (target in ('job', 'task', 'project')),
      job_id integer references jobs(id) on delete cascade,
      task_id integer references tasks(id) on delete cascade,
      project_id integer references projects(id) on delete cascade,
      parent_id integer references quality_reports(id) on delete cascade,
      assignee_id integer references users(id) on delete set null,
      created_at timestamptz not null default now(),
      target_last_updated timestamptz not null,
      gt_last_updated timestamptz,
      summary jsonb not null,
      data text not null,
      check ((target = 'job') = (job_id is not null)),
      check ((target = 'project') = (project_id is not null)),
      check ((target = 'project') = (task_id is null))
    );
    create index quality_reports_task_idx on quality_reports (task_id, id) where task_id is not null;
    create index quality_reports_job_idx on quality_reports (job_id, id) where job_id is not null;
    create index quality_reports_project_idx on quality_reports (project_id, id) where project_id is not null;
    create index quality_reports_parent_idx on quality_reports (parent_id) where parent_id is not null;

    create table quality_conflicts (
      id serial primary key,
      report_id integer not null references quality_reports(id) on delete cascade,
      job_id integer not null,
      task_id integer not null,
      frame integer not null,
      type text not null,
      severity text not null check (severity in ('warning', 'error')),
      annotation_ids jsonb not null
    );
    create index quality_conflicts_report_idx on quality_conflicts (report_id);
    create index quality_conflicts_task_idx on quality_conflicts (task_id, id);
    create index quality_conflicts_job_idx on quality_conflicts (job_id, id);

    create table quality_job_feedback (
      id serial primary key,
      job_id integer not null references jobs(id) on delete cascade,
      assignee_id integer references users(id) on delete cascade,
      status text not null check (status in ('validating', 'accepted', 'rejected', 'sent_to_review', 'failed')),
      target_metric text not null,
      target_metric_threshold double precision not null,
      max_validations integer not null,
      score double precision,
      failing_frames integer[] not null default '{}',
      request_id text,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index quality_job_feedback_job_idx on quality_job_feedback (job_id, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists quality_job_feedback;
    drop table if exists quality_conflicts;
    drop table if exists quality_reports;
    drop trigger if exists tasks_quality_settings on tasks;
    drop trigger if exists projects_quality_settings on projects;
    drop function if exists quality_settings_for_new_row();
    drop table if exists quality_settings;
  `.execute(db);
}
