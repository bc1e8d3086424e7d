import { sql } from 'kysely';
import { consensusReplicasProblem } from '@framewise/core';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { VideoFileRepository } from '../repositories/video-file.repository.js';
import type { JobQueue } from '../jobs/queue.js';
import { MEDIA_TASK_COLUMNS, taskWithContext, type MediaTask, type TaskRepository, type TaskWithContext } from '../repositories/task.repository.js';
import type { LabelService } from './label.service.js';
import type { LabelWrite } from '../dtos/label.dto.js';
import type { TaskPatch, TaskWrite } from '../dtos/task.dto.js';
import type { Auth } from './auth/auth.js';
import { creationOrg, jobAccess, orgScope, projectAccess, projectTaskCreation, taskAccess, type Action } from './access.js';
import type { Assignable } from './assignable.js';
import { taskBlobPrefixes } from './task-storage.js';

export const taskListSpec: ListSpec = {
  id: { expr: 't.id', kind: 'number', param: 'exact' },
  name: { expr: 't.name', kind: 'string', search: true, param: 'icontains' },
  project_id: { expr: 't.project_id', kind: 'number', param: 'exact' },
  project_name: { expr: 'p.name', kind: 'string', search: true, param: 'icontains' },
  owner: { expr: 'o.username', kind: 'string', search: true, param: 'icontains' },
  assignee: { expr: 'a.username', kind: 'string', search: true, param: 'icontains' },
  status: { expr: 't.status', kind: 'string', search: true, param: 'exact', choices: ['annotation', 'validation', 'completed'] },
  mode: { expr: 't.mode', kind: 'string', search: true, param: 'exact', choices: ['annotation', 'interpolation'] },
  dimension: { expr: 't.dimension', kind: 'string', param: 'exact', choices: ['2d', '3d'] },
  subset: { expr: 't.subset', kind: 'string', search: true, param: 'exact' },
  tracker_link: { expr: 't.bug_tracker', kind: 'string', param: 'icontains' },
  updated_date: { expr: 't.updated_at', kind: 'date' },
  created_date: { expr: 't.created_at', kind: 'date' },
  size: { expr: 't.size', kind: 'number' },
};

export class TaskService {
  constructor(
    private readonly db: Db,
    private readonly tasks: TaskRepository,
    private readonly people: Assignable,
    private readonly labels: LabelService,
    private readonly queue: JobQueue,
    private readonly videoFiles: VideoFileRepository,
  ) {}

  /** The task if `auth` may see it (and do `action`), else 404. */
  async require(auth: Auth, id: number, action: Action = 'view'): Promise<TaskWithContext> {
    const row = await taskWithContext(this.db)
      .select(sql<boolean>`${taskAccess(auth, action, 't')}`.as('allowed'))
      .where('t.id', '=', id)
      .where(taskAccess(auth, 'view', 't'))
      .executeTakeFirst();
    if (!row) throw AppError.notFound('task', id);
    const { allowed, ...task } = row;
    // Visible but not permitted: say so, as CVAT does (a visible id cannot be probed anyway).
    if (!allowed) throw AppError.forbidden(`you may not ${action} task ${id}`);
    return task;
  }

  /** The task's media fields if `auth` may see the task, else 404 (see MediaTask). */
  async requireMedia(auth: Auth, id: number): Promise<MediaTask> {
    const row = await this.db
      .selectFrom('tasks as t')
      .select(MEDIA_TASK_COLUMNS.map((c) => `t.${c}` as const))
      .where('t.id', '=', id)
      .where(taskAccess(auth, 'view', 't'))
      .executeTakeFirst();
    if (!row) throw AppError.notFound('task', id);
    return row;
  }

  /**
   * A job's task and frame range in one query, if `auth` may see the job: the frame endpoints
   * are the hottest path of the API, so they cost one lean round trip here.
   */
  async requireForJob(auth: Auth, jobId: number): Promise<{ task: MediaTask; start: number; stop: number }> {
    const row = await this.db
      .selectFrom('tasks as t')
      .innerJoin('jobs as j', 'j.task_id', 't.id')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .select(MEDIA_TASK_COLUMNS.map((c) => `t.${c}` as const))
      .select(['s.start_frame as seg_start', 's.stop_frame as seg_stop'])
      .where('j.id', '=', jobId)
      .where(jobAccess(auth, 'view', 'j'))
      .executeTakeFirst();
    if (!row) throw AppError.notFound('job', jobId);
    const { seg_start, seg_stop, ...task } = row;
    return { task, start: seg_start, stop: seg_stop };
  }

  /** The project's first task with media that `auth` can see (the project's preview). */
  firstWithData(auth: Auth, projectId: number): Promise<TaskWithContext | undefined> {
    return taskWithContext(this.db)
      .where('t.project_id', '=', projectId)
      .where('t.data_state', '=', 'ready')
      .where(taskAccess(auth, 'view', 't'))
      .orderBy('t.id')
      .limit(1)
      .executeTakeFirst();
  }

  async jobCounts(ids: number[]) {
    return this.tasks.jobCounts(ids);
  }

  async list(auth: Auth, query: Record<string, unknown>) {
    const base = taskWithContext(this.db).where(taskAccess(auth, 'view', 't')).where(orgScope(auth, 't.organization_id'));
    return listPage(base, taskListSpec, query, { defaultSort: '-id' });
  }

  async create(auth: Auth, input: TaskWrite): Promise<number> {
    const labels: LabelWrite[] = input.labels ?? [];
    const replicasProblem = consensusReplicasProblem(input.consensus_replicas ?? 0);
    if (replicasProblem) throw AppError.invalid('consensus_replicas', replicasProblem);
    let organizationId: number | null;
    if (input.project_id != null) {
      // A task in a project uses the project's schema; two schemas would drift apart.
      if (labels.length) throw AppError.invalid('labels', 'a task in a project takes its labels from the project; send no labels');
      const project = await this.db
        .selectFrom('projects')
        .select(['projects.id', 'projects.organization_id', sql<boolean>`${projectTaskCreation(auth)}`.as('allowed')])
        .where('projects.id', '=', input.project_id)
        .where(projectAccess(auth, 'view'))
        .executeTakeFirst();
      if (!project) throw AppError.invalid('project_id', `project ${input.project_id} not found`);
      if (!project.allowed) throw AppError.forbidden(`you may not add tasks to project ${input.project_id}`);
      // The task lives where its project does; a request naming another organization is a mistake.
      if (auth.org !== undefined && (auth.org?.id ?? null) !== project.organization_id) {
        throw AppError.invalid('project_id', `project ${input.project_id} is not in the organization this request names`);
      }
      organizationId = project.organization_id;
    } else {
      organizationId = creationOrg(auth, 'tasks');
      this.labels.validate(labels, 'labels');
    }
    await this.people.require('assignee_id', input.assignee_id, organizationId);
    await this.people.require('owner_id', input.owner_id, organizationId);
    const ownerId = input.owner_id && auth.user.isSuperuser ? input.owner_id : auth.user.id;

    return this.db.transaction().execute(async (trx) => {
      const task = await this.tasks.create(
        {
          name: input.name,
          project_id: input.project_id ?? null,
          owner_id: ownerId,
          assignee_id: input.assignee_id ?? null,
          assignee_updated_at: input.assignee_id ? new Date() : null,
          bug_tracker: input.bug_tracker ?? '',
          subset: input.subset ?? '',
          segment_size: input.segment_size ?? 0,
          overlap: input.overlap ?? null,
          organization_id: organizationId,
          source_storage: input.source_storage ? JSON.stringify({ location: input.source_storage.location, cloud_storage_id: input.source_storage.cloud_storage_id ?? null }) : null,
          target_storage: input.target_storage ? JSON.stringify({ location: input.target_storage.location, cloud_storage_id: input.target_storage.cloud_storage_id ?? null }) : null,
          media_type: null,
          chunk_size: null,
          consensus_replicas: input.consensus_replicas ?? 0,
          updated_at: new Date(),
        },
        trx,
      );
      if (input.project_id == null && labels.length) await this.labels.createFor(trx, { taskId: task.id }, labels);
      return task.id;
    });
  }

  async update(auth: Auth, id: number, patch: TaskPatch): Promise<void> {
    const task = await this.require(auth, id, 'change');
    if (patch.consensus_replicas !== undefined && patch.consensus_replicas !== task.consensus_replicas) {
      throw AppError.invalid('consensus_replicas', 'is set when the task is created and cannot be changed');
    }
    if (patch.project_id !== undefined && patch.project_id !== task.project_id) {
      throw AppError.invalid('project_id', 'moving a task between projects is not supported yet');
    }
    if (patch.labels?.length && task.project_id !== null) {
      throw AppError.invalid('labels', 'this task takes its labels from project ' + task.project_id + '; change them there');
    }
    // Handing a task to someone else is the owner's call, like deleting it.
    if (patch.owner_id !== undefined && patch.owner_id !== task.owner_id) await this.require(auth, id, 'delete');
    await this.people.require('assignee_id', patch.assignee_id, task.organization_id);
    await this.people.require('owner_id', patch.owner_id, task.organization_id);
    if (task.data_state !== 'none' && (patch.segment_size !== undefined || patch.overlap !== undefined)) {
      if (patch.segment_size !== task.segment_size || (patch.overlap ?? task.overlap) !== task.overlap) {
        throw AppError.invalid(patch.segment_size !== undefined ? 'segment_size' : 'overlap', 'cannot change once the task has data');
      }
    }
    await this.db.transaction().execute(async (trx) => {
      await this.tasks.update(
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.bug_tracker !== undefined ? { bug_tracker: patch.bug_tracker } : {}),
          ...(patch.subset !== undefined ? { subset: patch.subset } : {}),
          ...(patch.segment_size !== undefined ? { segment_size: patch.segment_size } : {}),
          ...(patch.overlap !== undefined ? { overlap: patch.overlap } : {}),
          ...(patch.owner_id !== undefined ? { owner_id: patch.owner_id } : {}),
          ...(patch.assignee_id !== undefined && patch.assignee_id !== task.assignee_id
            ? { assignee_id: patch.assignee_id, assignee_updated_at: new Date() }
            : {}),
        },
        trx,
      );
      if (patch.labels?.length) {
        this.labels.validate(patch.labels, 'labels');
        await this.labels.patchFor(trx, { taskId: id }, patch.labels);
      }
    });
  }

  async delete(auth: Auth, id: number): Promise<void> {
    await this.require(auth, id, 'delete');
    await this.tasks.delete(id);
    await this.freeStorage([id]);
  }

  /** Frees the blobs of deleted tasks in the background (an S3 prefix can hold 100k objects). */
  async freeStorage(taskIds: number[]): Promise<void> {
    if (taskIds.length === 0) return;
    await this.queue.send('storage.delete-prefixes', { prefixes: taskIds.flatMap(taskBlobPrefixes) });
    // This instance's video copies go now; other instances' go at their next sweep.
    await Promise.all(taskIds.map((id) => this.videoFiles.forget(id)));
  }
}
