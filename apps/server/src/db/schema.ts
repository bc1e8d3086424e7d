/** Row types of the database, as Kysely sees them. Kept in step with migrations/. */
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface StorageRef {
  location: 'local' | 'cloud_storage';
  cloud_storage_id: number | null;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: Generated<string>;
  first_name: Generated<string>;
  last_name: Generated<string>;
  password_hash: string | null;
  is_superuser: Generated<boolean>;
  is_staff: Generated<boolean>;
  is_active: Generated<boolean>;
  date_joined: Generated<Date>;
  last_login: NullableTimestamp;
  /** 'local' (password here), 'ldap' or 'oidc' (migration 0010). */
  auth_source: Generated<AuthSource>;
  /** LDAP DN or OIDC `issuer|subject`; null for local users. */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type AuthSource = 'local' | 'ldap' | 'oidc';

export interface SsoLoginsTable {
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  next_path: string;
  expires_at: Date;
}

export interface AuthTokensTable {
  id: Generated<number>;
  user_id: number;
  key_hash: string;
  kind: 'login' | 'session' | 'access';
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  /** Personal access tokens (kind 'access') only: a name, and whether only safe methods are allowed. */
  name: Generated<string>;
  read_only: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: Date;
}

export interface AuditEventsTable {
  id: Generated<number>;
  created_at: Generated<Date>;
  action: string;
  actor_id: number | null;
  actor_username: Generated<string>;
  user_id: number | null;
  username: Generated<string>;
  address: Generated<string>;
  details: Json<Record<string, unknown>>;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  owner_id: number | null;
  assignee_id: number | null;
  assignee_updated_at: NullableTimestamp;
  bug_tracker: Generated<string>;
  status: Generated<string>;
  organization_id: number | null;
  source_storage: NullableJson<StorageRef>;
  target_storage: NullableJson<StorageRef>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface TasksTable {
  id: Generated<number>;
  project_id: number | null;
  name: string;
  owner_id: number | null;
  assignee_id: number | null;
  assignee_updated_at: NullableTimestamp;
  bug_tracker: Generated<string>;
  status: Generated<string>;
  subset: Generated<string>;
  mode: Generated<string>;
  overlap: number | null;
  segment_size: Generated<number>;
  size: Generated<number>;
  dimension: Generated<string>;
  organization_id: number | null;
  source_storage: NullableJson<StorageRef>;
  target_storage: NullableJson<StorageRef>;
  media_type: string | null;
  image_quality: Generated<number>;
  chunk_size: number | null;
  start_frame: Generated<number>;
  stop_frame: Generated<number>;
  frame_filter: Generated<string>;
  sorting_method: Generated<string>;
  /** none -> queued -> processing -> ready | failed */
  data_state: Generated<'none' | 'queued' | 'processing' | 'ready' | 'failed'>;
  /** Where the originals stay when the task was made from a cloud storage. */
  cloud_storage_id: Generated<number | null>;
  /** Migration 0013: 'gt' (a ground-truth job), 'gt_pool' (honeypots), or null. */
  validation_mode: Generated<TaskValidationMode | null>;
  /** Migration 0015: consensus replica jobs per annotation job (0: no consensus). */
  consensus_replicas: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export type TaskValidationMode = 'gt' | 'gt_pool';

/** Migration 0013: a task's validation frames and what is done with them. */
export interface TaskValidationLayoutsTable {
  task_id: number;
  mode: TaskValidationMode;
  /** The validation frames (the ground-truth job's), ascending. */
  frames: ColumnType<number[], number[] | string, number[] | string>;
  /** Validation frames taken out of use, ascending. */
  disabled_frames: ColumnType<number[], number[] | string | undefined, number[] | string>;
  frames_per_job_count: number | null;
  /** Goes up whenever a honeypot changes the image it shows. */
  revision: Generated<number>;
  updated_at: Generated<Date>;
}

/** Migration 0014: quality settings of a project or a task (one of project_id, task_id). */
export interface QualitySettingsTable {
  id: Generated<number>;
  project_id: number | null;
  task_id: number | null;
  /** Core's QualitySettings but `inherit`, as stored (read over the defaults). */
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  inherit: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type QualityReportTarget = 'job' | 'task' | 'project';

/** Migration 0014: a job, task or project quality report. */
export interface QualityReportsTable {
  id: Generated<number>;
  target: QualityReportTarget;
  job_id: number | null;
  task_id: number | null;
  project_id: number | null;
  parent_id: number | null;
  assignee_id: number | null;
  created_at: Generated<Date>;
  target_last_updated: Date;
  gt_last_updated: Date | null;
  /** CVAT's QualityReportSummary. */
  summary: ColumnType<Record<string, unknown>, string, string>;
  /** The comparison report as JSON text. */
  data: string;
}

/** Migration 0014: a conflict of a job report. */
export interface QualityConflictsTable {
  id: Generated<number>;
  report_id: number;
  job_id: number;
  task_id: number;
  frame: number;
  type: string;
  severity: 'warning' | 'error';
  annotation_ids: ColumnType<unknown[], string, string>;
}

export type FeedbackStatus = 'validating' | 'accepted' | 'rejected' | 'sent_to_review' | 'failed';

/** Migration 0014: one immediate-feedback check of a job. */
export interface QualityJobFeedbackTable {
  id: Generated<number>;
  job_id: number;
  assignee_id: number | null;
  status: FeedbackStatus;
  target_metric: string;
  target_metric_threshold: number;
  max_validations: number;
  score: number | null;
  failing_frames: ColumnType<number[], number[] | string | undefined, number[] | string>;
  request_id: string | null;
  created_at: Generated<Date>;
  finished_at: NullableTimestamp;
}

/** Migration 0015: a task's consensus merge settings, once changed from the defaults. */
export interface ConsensusSettingsTable {
  task_id: number;
  quorum: number;
  iou_threshold: number;
  updated_at: Generated<Date>;
}

/** Migration 0015: one merge run and the agreement it measured per parent job. */
export interface ConsensusMergesTable {
  id: Generated<number>;
  task_id: number;
  /** The job merged; null when the whole task was. */
  job_id: number | null;
  request_id: string | null;
  owner_id: number | null;
  created_at: Generated<Date>;
  report: Json<Record<string, unknown>>;
}

export interface LabelsTable {
  id: Generated<number>;
  project_id: number | null;
  task_id: number | null;
  parent_id: number | null;
  name: string;
  color: Generated<string>;
  type: Generated<string>;
  svg: Generated<string>;
  position: Generated<number>;
}

export interface LabelAttributesTable {
  id: Generated<number>;
  label_id: number;
  name: string;
  mutable: Generated<boolean>;
  input_type: string;
  default_value: Generated<string>;
  values: Json<string[]>;
  position: Generated<number>;
}

export interface TaskFramesTable {
  task_id: number;
  frame: number;
  /** The file's path as the user gave it (upload name or share-relative path). */
  name: string;
  /** Where the original lives: 'blob' (our blob store), 'share' (the share directory) or 'cloud' (the task's cloud storage). */
  source: 'blob' | 'share' | 'cloud';
  key: string;
  width: number;
  height: number;
  orientation: Generated<number>;
  bytes: Generated<number>;
  /** Migration 0013: on a honeypot, the validation frame whose image it shows. */
  real_frame: Generated<number | null>;
}

export interface SegmentsTable {
  id: Generated<number>;
  task_id: number;
  start_frame: number;
  stop_frame: number;
  /** 'range', or 'specific_frames' for a ground-truth job that takes some frames of its range. */
  type: Generated<string>;
  /** Migration 0013: the frames of a 'specific_frames' segment, ascending. */
  frames: ColumnType<number[] | null, number[] | string | null | undefined, number[] | string | null>;
}

export interface JobsTable {
  id: Generated<number>;
  task_id: number;
  segment_id: number;
  assignee_id: number | null;
  assignee_updated_at: NullableTimestamp;
  stage: Generated<string>;
  state: Generated<string>;
  type: Generated<string>;
  /** Increases with every change to the job's annotations. */
  version: Generated<number>;
  /** Migration 0015: a consensus replica's annotation job; null for other jobs. */
  parent_job_id: Generated<number | null>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export type RequestStatus = 'queued' | 'started' | 'finished' | 'failed';

export interface RequestsTable {
  id: string;
  operation_type: string;
  target: string;
  project_id: number | null;
  task_id: number | null;
  job_id: number | null;
  format: string | null;
  owner_id: number | null;
  status: Generated<RequestStatus>;
  progress: Generated<number>;
  message: Generated<string>;
  result_url: string | null;
  result_id: number | null;
  params: Json<Record<string, unknown>>;
  cancel_requested: Generated<boolean>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  /** The worker instance running it, and its pg-boss job, while started. */
  worker_id: string | null;
  queue_name: string | null;
  queue_job_id: string | null;
}

export interface WorkerInstancesTable {
  id: string;
  hostname: Generated<string>;
  pid: Generated<number>;
  started_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
}

export interface TaskUploadsTable {
  id: Generated<number>;
  task_id: number;
  name: string;
  blob_key: string;
  bytes: Generated<number>;
  created_at: Generated<Date>;
}

export interface TusUploadsTable {
  id: string;
  /** What the file is for ('task-data', ...); see services/tus.service.ts. */
  target: string;
  target_id: number | null;
  /** Set for targets that belong to a task, so the upload goes with it. */
  task_id: number | null;
  owner_id: number | null;
  filename: string;
  /** Upload-Metadata as sent, decoded. */
  metadata: Json<Record<string, string>>;
  length: number;
  offset: Generated<number>;
  parts: Generated<number>;
  blob_prefix: string;
  /** One blob per accepted PATCH body, in offset order. */
  part_keys: Json<string[]>;
  finalizing_until: NullableTimestamp;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

interface Provenance {
  version: number;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

type Float8Array = ColumnType<number[], number[] | string, number[] | string>;

export interface LabeledTagsTable extends Provenance {
  id: Generated<number>;
  job_id: number;
  frame: number;
  label_id: number;
  group: number;
  source: string;
  attributes: Json<unknown>;
}

export interface LabeledShapesTable extends Provenance {
  id: Generated<number>;
  job_id: number;
  parent_id: number | null;
  frame: number;
  label_id: number;
  type: string;
  points: Float8Array;
  rotation: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
  group: number;
  source: string;
  score: number;
  attributes: Json<unknown>;
}

export interface LabeledTracksTable extends Provenance {
  id: Generated<number>;
  job_id: number;
  parent_id: number | null;
  frame: number;
  label_id: number;
  group: number;
  source: string;
  attributes: Json<unknown>;
}

export interface TrackedShapesTable {
  id: Generated<number>;
  track_id: number;
  frame: number;
  type: string;
  points: Float8Array;
  rotation: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
  attributes: Json<unknown>;
}

export interface AnnotationChangesTable {
  id: Generated<number>;
  job_id: number;
  version: number;
  user_id: number | null;
  at: Generated<Date>;
  action: string;
  summary: Json<Record<string, unknown>>;
}

export interface DerivedBlobsTable {
  key: string;
  task_id: number | null;
  bytes: number;
  last_access: Generated<Date>;
}

export interface CloudStoragesTable {
  id: Generated<number>;
  /** CVAT's ProviderTypeEnum; only AWS_S3_BUCKET is usable so far. */
  provider_type: string;
  /** The bucket name. */
  resource: string;
  display_name: string;
  description: Generated<string>;
  owner_id: number | null;
  organization_id: number | null;
  /** CVAT's CredentialsTypeEnum, or DEFAULT_CREDENTIAL_CHAIN (the server's own credentials). */
  credentials_type: string;
  /** CVAT's query-string form: 'region=...&endpoint_url=...&prefix=...&force_path_style=...'. */
  specific_attributes: Generated<string>;
  manifests: Json<string[]>;
  /** Sealed by repositories/secret-box.ts; null when the storage has no secrets. */
  credentials_ciphertext: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface TaskVideosTable {
  task_id: number;
  name: string;
  source: 'blob' | 'share' | 'cloud';
  key: string;
  width: number;
  height: number;
  frame_count: number;
  fps: number;
  first_index: number;
  step: number;
  keyframes: ColumnType<number[], number[] | string, number[] | string>;
  keyframe_times: ColumnType<number[], number[] | string, number[] | string>;
}

export type TaskVideoRow = Selectable<TaskVideosTable>;

export type OrgRole = 'owner' | 'maintainer' | 'supervisor' | 'worker';

/** Migration 0011. The workers_* columns are the organization's settings for its workers. */
export interface OrganizationsTable {
  id: Generated<number>;
  slug: string;
  name: Generated<string>;
  description: Generated<string>;
  contact: Json<Record<string, string>>;
  owner_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  workers_can_export: Generated<boolean>;
  workers_see_task: Generated<boolean>;
  workers_change_completed_jobs: Generated<boolean>;
}

export interface MembershipsTable {
  id: Generated<number>;
  user_id: number;
  organization_id: number;
  role: OrgRole;
  /** False from invitation until acceptance. */
  is_active: Generated<boolean>;
  joined_at: NullableTimestamp;
  /** Migration 0012: made by hand, or by a directory's group rules (which may then change or remove it). */
  source: Generated<MembershipSource>;
}

export type MembershipSource = 'manual' | Exclude<AuthSource, 'local'>;

export interface InvitationsTable {
  key: string;
  membership_id: number;
  owner_id: number | null;
  created_at: Generated<Date>;
  sent_at: Generated<Date>;
  accepted_at: NullableTimestamp;
}

export interface DB {
  users: UsersTable;
  auth_tokens: AuthTokensTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventsTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  labels: LabelsTable;
  label_attributes: LabelAttributesTable;
  task_frames: TaskFramesTable;
  segments: SegmentsTable;
  jobs: JobsTable;
  requests: RequestsTable;
  worker_instances: WorkerInstancesTable;
  labeled_tags: LabeledTagsTable;
  labeled_shapes: LabeledShapesTable;
  labeled_tracks: LabeledTracksTable;
  tracked_shapes: TrackedShapesTable;
  annotation_changes: AnnotationChangesTable;
  derived_blobs: DerivedBlobsTable;
  task_videos: TaskVideosTable;
  task_validation_layouts: TaskValidationLayoutsTable;
  consensus_settings: ConsensusSettingsTable;
  consensus_merges: ConsensusMergesTable;
  quality_settings: QualitySettingsTable;
  quality_reports: QualityReportsTable;
  quality_conflicts: QualityConflictsTable;
  quality_job_feedback: QualityJobFeedbackTable;
  task_uploads: TaskUploadsTable;
  tus_uploads: TusUploadsTable;
  cloud_storages: CloudStoragesTable;
  sso_logins: SsoLoginsTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
}

export type UserRow = Selectable<UsersTable>;
export type AuthTokenRow = Selectable<AuthTokensTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type TaskRow = Selectable<TasksTable>;
export type LabelRow = Selectable<LabelsTable>;
export type AttributeRow = Selectable<LabelAttributesTable>;
export type FrameRow = Selectable<TaskFramesTable>;
export type SegmentRow = Selectable<SegmentsTable>;
export type JobRow = Selectable<JobsTable>;
export type RequestRow = Selectable<RequestsTable>;
export type TusUploadRow = Selectable<TusUploadsTable>;
export type TaskValidationLayoutRow = Selectable<TaskValidationLayoutsTable>;
export type QualitySettingsRow = Selectable<QualitySettingsTable>;
export type QualityReportRow = Selectable<QualityReportsTable>;
export type QualityJobFeedbackRow = Selectable<QualityJobFeedbackTable>;
export type CloudStorageRow = Selectable<CloudStoragesTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
