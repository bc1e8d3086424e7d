/**
 * The background half of a restore: the uploaded archive is fetched and opened (backup-archive.ts;
 * the archive reader refuses zip-slip names, links and bombs), then the task, or the project and each of its
 * task_<n>/ tasks, is created from it (task-restore.ts) on behalf of the user who asked. What a
 * run creates is noted in the request as it goes; a run that fails, or is interrupted and run
 * again, removes it first, so a failed restore leaves nothing behind.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { isAppError } from '../../errors.js';
import type { JobHandler } from '../../jobs/queue.js';
import { archiveKind, type ArchiveLimits } from '../../repositories/archive.repository.js';
import type { ProjectRepository } from '../../repositories/project.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { Auth } from '../auth/auth.js';
import { fetchStagedFile } from '../datasets/import-source.js';
import { BackupArchive } from './backup-archive.js';
import type { ProgressReporter } from '../progress.js';
import type { ProjectService } from '../project.service.js';
import { ExpectedFailure, requesterAuth, runRequest } from '../request-runner.js';
import type { OrganizationRepository } from '../../repositories/organization.repository.js';
import type { BackupRestoreParams } from './backup.service.js';
import { labelFromBackup, PROJECT_FILE, QUALITY_FILE, readProjectManifest, readQualityFile, TASK_DIR, TASK_FILE } from './layout.js';
import { restoreQualitySettings } from './quality-file.js';
import { TaskRestorer, type RestoredTask, type RestoreRun, type TaskRestoreDeps } from './task-restore.js';

export interface BackupRestoreDeps extends TaskRestoreDeps {
  users: UserRepository;
  organizations: OrganizationRepository;
  projects: ProjectService;
  projectRows: ProjectRepository;
  tmpDir: string;
  limits: ArchiveLimits;
  log: Logger;
}

type Created = NonNullable<BackupRestoreParams['created']>;

/** Media read with the archive's first pass and kept in memory until stored (see backup-archive.ts). */
const HOLD_BYTES = 128 * 1024 * 1024;

export class BackupRestoreHandler {
  private readonly restorer: TaskRestorer;

  constructor(private readonly d: BackupRestoreDeps) {
    this.restorer = new TaskRestorer(d);
  }

  handle: JobHandler<'backup.restore'> = async ({ requestId }, ctx) => {
    let params: BackupRestoreParams | undefined;
    await runRequest(
      this.d.requests,
      this.d.log,
      requestId,
      ctx,
      async (progress, request) => {
        params = request.params as unknown as BackupRestoreParams;
        return this.run(requestId, params, request.owner_id!, progress);
      },
      async () => {
        await this.undo(requestId);
        if (params?.source.kind === 'blob') await this.d.blobs.delete(params.source.key);
      },
    );
  };

  /** Ends a restore whose worker was lost: what it created goes, and the request fails. */
  async abandon(requestId: string, reason: string): Promise<void> {
    await this.undo(requestId);
    const params = (await this.d.requests.findById(requestId))?.params as unknown as BackupRestoreParams | undefined;
    if (params?.source.kind === 'blob') await this.d.blobs.delete(params.source.key);
    await this.d.requests.update(requestId, { status: 'failed', message: reason, finished_at: new Date(), worker_id: null });
  }

  private async run(requestId: string, params: BackupRestoreParams, ownerId: number, progress: ProgressReporter) {
    const auth = await requesterAuth(this.d.users, ownerId, 'restore', { orgs: this.d.organizations, id: params.organizationId });
    // What an interrupted earlier run of this request made is removed before starting over.
    await this.undo(requestId);

    await fsp.mkdir(this.d.tmpDir, { recursive: true });
    const work = await fsp.mkdtemp(path.join(this.d.tmpDir, 'restore-'));
    try {
      await progress.report(0, `Reading ${params.filename}`, true);
      const file = path.join(work, 'upload');
      await fetchStagedFile(this.d.blobs, this.d.cloudStorages, params.source, params.filename, file);
      // Backups are ZIPs whatever the uploader called them.
      const name = archiveKind(params.filename) ? params.filename : `${params.filename}.zip`;
      const source = await BackupArchive.open(file, name, work, this.d.limits, HOLD_BYTES);
      const created: Created = { taskIds: [] };
      const note = async () => this.d.requests.update(requestId, { params: JSON.stringify({ ...params, created }) });
      const runFor = (share: [number, number]): RestoreRun => ({
        auth,
        source,
        created: async (taskId) => {
          created.taskIds.push(taskId);
          await note();
        },
        progress: (f, message) => progress.report(share[0] + (share[1] - share[0]) * f, message),
      });
      let outcome: { message: string; resultId: number };
      if (params.kind === 'task') outcome = await this.restoreTask(source, params.filename, runFor);
      else outcome = await this.restoreProjectWithTasks(auth, source, params.filename, runFor, async (id) => {
        created.projectId = id;
        await note();
      });
      // Kept until now so that a retry after a fault can read it again.
      if (params.source.kind === 'blob') await this.d.blobs.delete(params.source.key).catch(() => undefined);
      return outcome;
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }

  private async restoreTask(source: BackupArchive, filename: string, runFor: (share: [number, number]) => RestoreRun) {
    if (source.has(PROJECT_FILE)) throw new ExpectedFailure(`${filename}: a project backup; restore it with POST /api/projects/backup`);
    const t = await this.restorer.restore(runFor([0.05, 1]), '', null);
    return { message: `Restored task ${t.taskId}: ${describe(t)}`, resultId: t.taskId };
  }

  private async restoreProjectWithTasks(
    auth: Auth,
    source: BackupArchive,
    filename: string,
    runFor: (share: [number, number]) => RestoreRun,
    created: (id: number) => Promise<void>,
  ) {
    const projectId = await this.restoreProject(auth, source, filename, created);
    const dirs = taskDirs(source);
    const tasks: RestoredTask[] = [];
    for (const [i, dir] of dirs.entries()) {
      tasks.push(await this.restorer.restore(runFor([0.05 + (0.95 * i) / dirs.length, 0.05 + (0.95 * (i + 1)) / dirs.length]), dir, projectId));
    }
    return {
      message: `Restored project ${projectId} with ${tasks.length} tasks${tasks.map((t) => `; task ${t.taskId}: ${describe(t)}`).join('')}`,
      resultId: projectId,
    };
  }

  private async restoreProject(auth: Auth, source: BackupArchive, filename: string, created: (id: number) => Promise<void>): Promise<number> {
    if (!source.has(PROJECT_FILE)) {
      const hint = source.has(TASK_FILE) ? '; this is a task backup: restore it with POST /api/tasks/backup' : '';
      throw new ExpectedFailure(`${PROJECT_FILE}: missing from ${filename}${hint}`);
    }
    const manifest = readProjectManifest(PROJECT_FILE, await source.text(PROJECT_FILE));
    const project = await this.d.projects
      .create(auth, { name: manifest.name, labels: manifest.labels.map(labelFromBackup), bug_tracker: manifest.bug_tracker ?? '' })
      .catch((e: unknown) => {
        throw isAppError(e) ? new ExpectedFailure(`${PROJECT_FILE}: ${e.message}`) : e;
      });
    await created(project.id);
    await this.d.db.updateTable('projects').set({ status: manifest.status }).where('id', '=', project.id).execute();
    if (source.has(QUALITY_FILE)) {
      await restoreQualitySettings(this.d, auth, { projectId: project.id }, QUALITY_FILE, readQualityFile(QUALITY_FILE, await source.text(QUALITY_FILE)));
    }
    return project.id;
  }

  /** Deletes what the request's runs created (its project takes its tasks along), blobs included. */
  private async undo(requestId: string): Promise<void> {
    const request = await this.d.requests.findById(requestId);
    const created = (request?.params as unknown as BackupRestoreParams | undefined)?.created;
    if (!created || (created.projectId === undefined && created.taskIds.length === 0)) return;
    const db: Db = this.d.db;
    const taskIds = new Set(created.taskIds);
    if (created.projectId !== undefined) {
      const gone = await this.d.projectRows.transaction((trx) => this.d.projectRows.on(trx).delete(created.projectId!));
      gone?.forEach((id) => taskIds.add(id));
    }
    const ids = [...taskIds];
    if (ids.length) {
      await db.deleteFrom('tasks').where('id', 'in', ids).execute();
      // The creation requests of the tasks go too: they would report tasks that never were.
      await db.deleteFrom('requests').where('task_id', 'in', ids).where('operation_type', '=', 'create').execute();
      await this.d.tasks.freeStorage(ids);
    }
    await this.d.requests.update(requestId, { params: JSON.stringify({ ...request!.params, created: { taskIds: [] } }) });
  }
}

/** A project backup's task directories, task_0/, task_1/, ... in their numeric order. */
function taskDirs(source: BackupArchive): string[] {
  const dirs = new Map<number, string>();
  for (const p of source.paths()) {
    const slash = p.indexOf('/');
    if (slash < 0 || p.slice(slash + 1) !== TASK_FILE) continue;
    const dir = p.slice(0, slash + 1);
    const m = TASK_DIR.exec(dir);
    if (m) dirs.set(Number(m[1]), dir);
  }
  return [...dirs.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}

function describe(t: RestoredTask): string {
  return `${t.frames} frames, ${t.objects} annotations${t.notes.map((n) => `; ${n}`).join('')}`;
}
