/**
 * The composition root: builds repositories and services from the config, once. Each service
 * names what it uses in its constructor; nothing reaches for a global.
 */
import { DatasetImportHandler } from './services/datasets/import.handler.js';
import { DatasetImportService } from './services/datasets/import.service.js';
import { DatasetExportHandler } from './services/datasets/export.handler.js';
import { DatasetExportService } from './services/datasets/export.service.js';
import { ProjectImportHandler } from './services/datasets/project-import.handler.js';
import { ProjectImportService } from './services/datasets/project-import.service.js';
import { BackupExportHandler } from './services/backups/backup-export.handler.js';
import { BackupRestoreHandler } from './services/backups/backup-restore.handler.js';
import { BackupService } from './services/backups/backup.service.js';
import pino, { type Logger } from 'pino';
import type { Config } from './config/env.js';
import { openDatabase, snapshotReader, type Database } from './db/database.js';
import { ReferenceChecks } from './repositories/annotations/references.js';
import { migrateToLatest } from './db/migrate.js';
import { JobQueue } from './jobs/queue.js';
import { ShareRepository } from './repositories/share.repository.js';
import type { BlobStore } from './repositories/storage/blob-store.js';
import { createBlobStore } from './repositories/storage/index.js';
import { TokenRepository } from './repositories/token.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth/auth.service.js';
import { AccessTokenService } from './services/auth/access-token.service.js';
import { LoginThrottle } from './services/auth/rate-limit.js';
import { AccountService } from './services/account.service.js';
import { AuditService } from './services/audit.service.js';
import { AuditRepository } from './repositories/audit.repository.js';
import { LoginThrottleRepository } from './repositories/login-throttle.repository.js';
import type { LdapLogin } from './services/auth/ldap.js';
import type { OidcLogin } from './services/auth/oidc.js';
import { SSO_LOGIN_TTL_MS } from './services/auth/sso.js';
import { SsoLoginStore } from './services/auth/sso-login-store.js';
import { ExternalUsers } from './services/auth/sso-users.js';
import { DirectoryRoles } from './services/organizations/directory-roles.js';
import { ServerService } from './services/server.service.js';
import { UserService } from './services/user.service.js';
import { LabelRepository } from './repositories/label.repository.js';
import { ProjectRepository } from './repositories/project.repository.js';
import { AccessService } from './services/access.js';
import { LabelService } from './services/label.service.js';
import { ProjectService } from './services/project.service.js';
import { FrameRepository } from './repositories/frame.repository.js';
import { JobRepository } from './repositories/job.repository.js';
import { MediaRepository } from './repositories/media.repository.js';
import { RequestRepository } from './repositories/request.repository.js';
import { TaskRepository } from './repositories/task.repository.js';
import { UploadRepository } from './repositories/upload.repository.js';
import { TusRepository } from './repositories/tus.repository.js';
import { FrameService } from './services/frame.service.js';
import { JobService } from './services/job.service.js';
import { RequestService } from './services/request.service.js';
import { storageCleanupHandler } from './services/storage-cleanup.handler.js';
import { TaskCreationHandler } from './services/task-creation.handler.js';
import { TaskDataService } from './services/task-data.service.js';
import { TaskService } from './services/task.service.js';
import path from 'node:path';
import { VideoRepository } from './repositories/video.repository.js';
import { VideoFileRepository } from './repositories/video-file.repository.js';
import { RemoteRepository } from './repositories/remote.repository.js';
import { DerivedCache } from './services/derived-cache.js';
import { DerivedBlobRepository } from './repositories/derived-blob.repository.js';
import { AnnotationService } from './services/annotations/annotation.service.js';
import { TaskAnnotationService } from './services/annotations/task-annotation.service.js';
import { WorkerRepository } from './repositories/worker.repository.js';
import { WorkerSupervisor } from './services/worker-supervisor.js';
import { taskDataTusTarget } from './services/task-data.tus.js';
import { TusService } from './services/tus.service.js';
import { BucketClients, CloudStorageRepository } from './repositories/cloud-storage.repository.js';
import { openSecretBox } from './repositories/secret-box.js';
import { CloudStorageService } from './services/cloud-storage.service.js';
import { OrgContext } from './services/organizations/org-context.js';
import { OrganizationRepository } from './repositories/organization.repository.js';
import { OrganizationService } from './services/organizations/organization.service.js';
import { MembershipService } from './services/organizations/membership.service.js';
import { InvitationService } from './services/organizations/invitation.service.js';
import { Assignable } from './services/assignable.js';
import { ValidationRepository } from './repositories/validation.repository.js';
import { ValidationService } from './services/validation.service.js';
import { ConsensusRepository } from './repositories/consensus.repository.js';
import { ConsensusService } from './services/consensus.service.js';
import { ConsensusMergeHandler } from './services/consensus-merge.handler.js';
import { QualityRepository } from './repositories/quality.repository.js';
import { QualityDataRepository } from './repositories/quality-data.repository.js';
import { QualityComputer } from './services/quality-compute.js';
import { QualityService } from './services/quality.service.js';
import { QualityFeedbackService } from './services/quality-feedback.service.js';
import { QualityReportHandler } from './services/quality-report.handler.js';
import { MailRepository } from './repositories/mail.repository.js';
import { MailService } from './services/mail/mail.service.js';
import { mailComposer } from './services/mail/composers.js';
import { PasswordResetService, RESET_REQUESTS, ResetTokens } from './services/auth/password-reset.service.js';

export interface Repositories {
  users: UserRepository;
  tokens: TokenRepository;
  share: ShareRepository;
  blobs: BlobStore;
  projects: ProjectRepository;
  labels: LabelRepository;
  tasks: TaskRepository;
  frames: FrameRepository;
  jobs: JobRepository;
  uploads: UploadRepository;
  tus: TusRepository;
  requests: RequestRepository;
  media: MediaRepository;
  cloudStorages: CloudStorageRepository;
  buckets: BucketClients;
  organizations: OrganizationRepository;
}

export interface Services {
  auth: AuthService;
  /** Directory login (FRAMEWISE_LDAP_*); null when not configured. */
  ldap: LdapLogin | null;
  /** OpenID Connect single sign-on (FRAMEWISE_OIDC_*); null when not configured. */
  oidc: OidcLogin | null;
  users: UserService;
  accounts: AccountService;
  accessTokens: AccessTokenService;
  /** Resolves the organization a request names (X-Organization, org, org_id). */
  orgContext: OrgContext;
  organizations: OrganizationService;
  memberships: MembershipService;
  invitations: InvitationService;
  /** Records account events; other services (organizations, SSO) record through it too. */
  audit: AuditService;
  /** Outgoing mail (queued, sent by workers); off when FRAMEWISE_SMTP_URL is unset. */
  mail: MailService;
  passwordReset: PasswordResetService;
  server: ServerService;
  access: AccessService;
  labels: LabelService;
  projects: ProjectService;
  tasks: TaskService;
  taskData: TaskDataService;
  tus: TusService;
  jobs: JobService;
  frames: FrameService;
  requests: RequestService;
  taskCreation: TaskCreationHandler;
  annotations: AnnotationService;
  taskAnnotations: TaskAnnotationService;
  validation: ValidationService;
  /** Consensus settings and merges (/api/consensus). */
  consensus: ConsensusService;
  consensusMerge: ConsensusMergeHandler;
  /** Quality settings, reports and conflicts (/api/quality). */
  quality: QualityService;
  /** Immediate feedback when a job is handed in; also the job service's completion check. */
  qualityFeedback: QualityFeedbackService;
  qualityReport: QualityReportHandler;
  cloudStorages: CloudStorageService;
  derivedCache: DerivedCache;
  datasetExports: DatasetExportService;
  datasetExport: DatasetExportHandler;
  datasetImports: DatasetImportService;
  datasetImport: DatasetImportHandler;
  projectImports: ProjectImportService;
  projectImport: ProjectImportHandler;
  backups: BackupService;
  backupExport: BackupExportHandler;
  backupRestore: BackupRestoreHandler;
}

export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  queue: JobQueue;
  repos: Repositories;
  services: Services;
  /** Run first at close, last registered first (workers before the queue and database). */
  onClose: Array<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Override the blob store (tests inject a driver pointed at a test server). */
  blobs?: BlobStore;
  log?: Logger;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const log = options.log ?? pino({ level: config.logLevel });
  const database = await openDatabase(config.database);
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ applied }, 'database migrated');
    const queue = await JobQueue.start(database, log);
    const db = database.db;
    // Instances sharing a PostgreSQL must share the key, so only the embedded setup generates one.
    const secrets = await openSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir, mayGenerate: config.database.driver === 'pglite' });
    const repos: Repositories = {
      users: new UserRepository(db),
      tokens: new TokenRepository(db),
      share: new ShareRepository(config.shareDir),
      blobs: options.blobs ?? (await createBlobStore(config.storage)),
      projects: new ProjectRepository(db),
      labels: new LabelRepository(db),
      tasks: new TaskRepository(db),
      frames: new FrameRepository(db),
      jobs: new JobRepository(db),
      uploads: new UploadRepository(db),
      tus: new TusRepository(db),
      requests: new RequestRepository(db),
      media: new MediaRepository(),
      cloudStorages: new CloudStorageRepository(db),
      buckets: new BucketClients(),
      organizations: new OrganizationRepository(db),
    };
    const access = new AccessService(repos.projects, repos.labels);
    const labels = new LabelService(repos.labels, access);
    const videoFiles = new VideoFileRepository(repos.share, repos.blobs, path.join(config.dataDir, 'cache', 'videos'));
    const people = new Assignable(repos.users, repos.organizations);
    const tasks = new TaskService(db, repos.tasks, people, labels, queue, videoFiles);
    const validationRepo = new ValidationRepository(db);
    const consensusRepo = new ConsensusRepository(db);
    const qualityRepo = new QualityRepository(db);
    const qualityData = new QualityDataRepository(db);
    const qualityComputer = new QualityComputer(db, qualityData, qualityRepo, validationRepo, repos.labels);
    const quality = new QualityService(db, access, qualityRepo, repos.requests, queue);
    const qualityFeedback = new QualityFeedbackService(db, access, repos.jobs, qualityData, qualityRepo, qualityComputer, quality, repos.requests, queue, log);
    const jobs = new JobService(repos.jobs, people, qualityFeedback);
    const annotations = new AnnotationService(db, access, repos.labels, new ReferenceChecks(await ReferenceChecks.modeFor(db, database.driver)));
    const cloudStorages = new CloudStorageService(repos.cloudStorages, repos.buckets, repos.media, secrets, config.remote.allow);
    const video = new VideoRepository();
    const derivedCache = new DerivedCache(repos.blobs, new DerivedBlobRepository(db), config.cacheMaxBytes, log);
    const frameService = new FrameService(tasks, repos.frames, repos.blobs, derivedCache, repos.share, repos.media, cloudStorages, video, videoFiles, validationRepo);
    const requestService = new RequestService(repos.requests);
    const taskAnnotations = new TaskAnnotationService(db, access, repos.labels, annotations, validationRepo);
    const audit = new AuditService(new AuditRepository(db), log);
    const orgContext = new OrgContext(repos.organizations);
    const externalUsers = new ExternalUsers(repos.users, new DirectoryRoles(repos.organizations, orgContext, audit, log));
    // Their client libraries are loaded only where configured (see services/auth/sso.ts).
    let ldap: LdapLogin | null = null;
    if (config.ldap) {
      const { LdapDirectory, LdapLogin } = await import('./services/auth/ldap.js');
      ldap = new LdapLogin(new LdapDirectory(config.ldap), externalUsers, config.ldap);
    }
    let oidc: OidcLogin | null = null;
    if (config.oidc) {
      const { OidcLogin } = await import('./services/auth/oidc.js');
      oidc = new OidcLogin(config.oidc, new SsoLoginStore(db, SSO_LOGIN_TTL_MS), externalUsers, repos.users, repos.tokens);
    }
    const userService = new UserService(repos.users);
    const resetTokens = new ResetTokens(secrets, config.passwordResetTtlHours);
    const mail = new MailService(
      config.mail ? new MailRepository(config.mail) : null,
      queue,
      mailComposer({ users: repos.users, orgs: repos.organizations, resetTokens, publicUrl: config.publicUrl ?? '', invitationTtlDays: config.invitationTtlDays }),
      log,
    );
    const invitations = new InvitationService(repos.organizations, repos.users, userService, orgContext, audit, config.invitationTtlDays, mail);
    const authService = new AuthService(repos.users, repos.tokens, new LoginThrottle(new LoginThrottleRepository(db), config.loginThrottle), audit, ldap);
    const all: Services = {
      auth: authService,
      accounts: new AccountService(repos.users, userService, repos.tokens, authService, audit, config.registration, invitations),
      accessTokens: new AccessTokenService(repos.tokens, authService, audit),
      orgContext,
      organizations: new OrganizationService(repos.organizations, orgContext, audit),
      memberships: new MembershipService(repos.organizations, orgContext, audit),
      invitations,
      audit,
      mail,
      passwordReset: new PasswordResetService(
        repos.users, repos.tokens, authService, audit, new LoginThrottleRepository(db), resetTokens, mail,
        { ...RESET_REQUESTS, windowSeconds: config.loginThrottle.windowSeconds },
      ),
      ldap,
      oidc,
      users: userService,
      server: new ServerService(db, repos.blobs, repos.share),
      access,
      labels,
      projects: new ProjectService(repos.projects, labels, access, people, (taskIds) => tasks.freeStorage(taskIds)),
      tasks,
      jobs,
      taskData: new TaskDataService(
        db, tasks, repos.tasks, repos.uploads, repos.requests, repos.blobs, queue, { maxFiles: config.upload.maxFiles }, cloudStorages,
      ),
      tus: new TusService(repos.tus, repos.blobs, { maxBytes: config.upload.maxBytes }, log),
      frames: frameService,
      requests: requestService,
      annotations,
      taskAnnotations,
      validation: new ValidationService(db, access, tasks, repos.jobs, validationRepo, people, frameService, repos.organizations),
      consensus: new ConsensusService(db, consensusRepo, tasks, access, repos.jobs, repos.requests, queue),
      consensusMerge: new ConsensusMergeHandler({ db, repo: consensusRepo, requests: repos.requests, users: repos.users, access, labels: repos.labels, annotations, log }),
      quality,
      qualityFeedback,
      qualityReport: new QualityReportHandler(repos.requests, qualityRepo, repos.users, qualityComputer, log),
      cloudStorages,
      derivedCache,
      datasetExports: new DatasetExportService(db, access, repos.requests, requestService, queue, repos.blobs, cloudStorages),
      datasetExport: new DatasetExportHandler(db, repos.requests, repos.frames, repos.labels, snapshotReader(database), frameService, repos.blobs, cloudStorages, log),
      datasetImports: new DatasetImportService(db, access, repos.requests, queue, repos.blobs, cloudStorages),
      datasetImport: new DatasetImportHandler(
        db, repos.requests, repos.users, repos.frames, repos.labels, labels, access, annotations, taskAnnotations, repos.blobs, cloudStorages,
        path.join(config.dataDir, 'tmp'), { maxEntries: config.upload.maxFiles, maxBytes: config.upload.maxBytes }, log,
      ),
      projectImports: new ProjectImportService(db, access, repos.requests, queue, repos.blobs, cloudStorages),
      projectImport: new ProjectImportHandler(
        {
          db, requests: repos.requests, users: repos.users, access, labels: repos.labels, labelService: labels, tasks: repos.tasks, taskService: tasks,
          // Read when a job runs, after `all` is built: tasks are made through the one TaskDataService.
          get taskData() {
            return all.taskData;
          },
          frames: repos.frames, taskAnnotations, media: repos.media, blobs: repos.blobs, cloudStorages,
        },
        path.join(config.dataDir, 'tmp'), { maxEntries: config.upload.maxFiles, maxBytes: config.upload.maxBytes }, log,
      ),
      backups: new BackupService(db, access, repos.requests, queue, repos.blobs, cloudStorages),
      backupExport: new BackupExportHandler(snapshotReader(database), repos.requests, repos.labels, frameService, repos.share, repos.blobs, cloudStorages, log),
      backupRestore: new BackupRestoreHandler({
        db, tasks, taskRows: repos.tasks, jobs: repos.jobs, labels: repos.labels, annotations, requests: repos.requests, blobs: repos.blobs, cloudStorages,
        users: repos.users, organizations: repos.organizations, projectRows: repos.projects, log,
        validation: validationRepo, quality, qualityRows: qualityRepo,
        // Read when a job runs, after `all` is built.
        get taskData() {
          return all.taskData;
        },
        get projects() {
          return all.projects;
        },
        get consensus() {
          return all.consensus;
        },
        tmpDir: path.join(config.dataDir, 'tmp'), limits: { maxEntries: config.upload.maxFiles, maxBytes: config.upload.maxBytes },
      }),
      taskCreation: new TaskCreationHandler(
        db, repos.tasks, repos.frames, repos.jobs, repos.uploads, repos.requests, repos.share, repos.blobs, repos.media,
        new RemoteRepository({ allow: config.remote.allow, maxBytes: config.remote.maxBytes, timeoutMs: config.remote.timeoutMs }),
        cloudStorages,
        video,
        videoFiles,
        log,
        { tmpDir: path.join(config.dataDir, 'tmp'), limits: { maxEntries: config.upload.maxFiles, maxBytes: config.upload.maxBytes } },
        validationRepo,
      ),
    };
    all.tus.register(taskDataTusTarget(all.taskData, repos.uploads, { maxFiles: config.upload.maxFiles }));
    all.tus.register(all.datasetImports.tusTarget('task'));
    all.tus.register(all.datasetImports.tusTarget('job'));
    all.tus.register(all.projectImports.tusTarget());
    all.tus.register(all.backups.tusTarget('task'));
    all.tus.register(all.backups.tusTarget('project'));
    // Cache writes finish behind responses: let them land before the database closes.
    const sweeps = scheduleSweeps(videoFiles, repos.tasks, all.datasetExports, config.videoCacheMaxBytes, log);
    const onClose: Array<() => Promise<void>> = [async () => repos.buckets.close(), async () => mail.close(), () => derivedCache.settle(), async () => clearInterval(sweeps)];
    return {
      config,
      log,
      database,
      queue,
      repos,
      services: all,
      onClose,
      async close() {
        for (const fn of onClose.reverse()) await fn();
        await queue.stop();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

const SWEEP_MS = 10 * 60_000;

/**
 * Housekeeping every instance does now and then: its own video copies kept in bounds (every
 * instance serves frames), and export archives past their expiry deleted (any instance may).
 */
function scheduleSweeps(files: VideoFileRepository, tasks: TaskRepository, exports: DatasetExportService, maxBytes: number, log: Logger): NodeJS.Timeout {
  const sweep = async () => {
    await files
      .sweep((ids) => tasks.existing(ids), maxBytes)
      .then((freed) => freed && log.info({ freed }, 'video cache: removed copies of deleted tasks and least recently used ones'))
      .catch((err) => log.warn({ err }, 'video cache: sweep failed'));
    await exports
      .deleteExpired()
      .then((n) => n && log.info({ archives: n }, 'exports: deleted expired archives'))
      .catch((err) => log.warn({ err }, 'exports: sweep failed'));
  };
  setTimeout(() => void sweep(), 5000).unref();
  const timer = setInterval(() => void sweep(), SWEEP_MS);
  timer.unref();
  return timer;
}

/** Starts consuming background jobs in this process (roles worker and both). */
export async function startWorkers(ctx: AppContext): Promise<void> {
  const { repos, services } = ctx;
  const supervisor = new WorkerSupervisor(
    new WorkerRepository(ctx.database.db),
    repos.requests,
    ctx.queue,
    {
      instanceId: ctx.queue.instanceId,
      lostAfterSeconds: ctx.config.workerLostAfterSeconds,
      exclusive: ctx.database.driver === 'pglite',
    },
    async (request, reason) => {
      if (request.operation_type === 'create' && request.target === 'task' && request.task_id !== null) {
        await services.taskCreation.abandon(request.id, request.task_id, reason);
      } else if (request.operation_type === 'import:dataset' && request.target === 'project') {
        await services.projectImport.abandon(request, reason);
      } else if (request.operation_type === 'import:backup') {
        await services.backupRestore.abandon(request.id, reason);
      } else {
        await repos.requests.update(request.id, { status: 'failed', message: reason, finished_at: new Date(), worker_id: null });
      }
    },
    ctx.log,
  );
  await supervisor.start();
  ctx.onClose.push(() => supervisor.stop());
  await ctx.queue.work(
    {
      'task.create-data': ctx.services.taskCreation.handleCreateTaskData,
      'storage.delete-prefixes': storageCleanupHandler(ctx.repos.blobs),
      'dataset.export': ctx.services.datasetExport.handle,
      'dataset.import': ctx.services.datasetImport.handle,
      'dataset.import-project': ctx.services.projectImport.handle,
      'backup.export': ctx.services.backupExport.handle,
      'backup.restore': ctx.services.backupRestore.handle,
      'mail.send': ctx.services.mail.handle,
      'consensus.merge': ctx.services.consensusMerge.handle,
      'quality.report': ctx.services.qualityReport.handle,
      'quality.feedback': ctx.services.qualityFeedback.handle,
    },
    ctx.config.workerConcurrency,
  );
}
