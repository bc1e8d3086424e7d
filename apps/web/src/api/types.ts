/**
 * The API's resources as the web app reads them: CVAT's v2 shapes (../shared/cvat-api), with only
 * the fields the app uses. The server sends more; extra fields are ignored.
 */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface UserRef {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

export interface User extends UserRef {
  email: string;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  date_joined: string;
  last_login: string | null;
}

export type Status = 'annotation' | 'validation' | 'completed';
export type JobStage = 'annotation' | 'validation' | 'acceptance';
export type JobState = 'new' | 'in progress' | 'rejected' | 'completed';

export interface Project {
  id: number;
  name: string;
  owner: UserRef | null;
  assignee: UserRef | null;
  status: Status;
  organization: number | null;
  tasks: { count: number };
  created_date: string;
  updated_date: string;
  bug_tracker: string;
}

export interface Task {
  id: number;
  name: string;
  project_id: number | null;
  owner: UserRef | null;
  assignee: UserRef | null;
  status: Status;
  mode: string;
  size: number;
  segment_size: number;
  image_quality: number;
  organization: number | null;
  jobs: { count: number; completed: number; validation: number };
  /** How the task is checked against ground truth (docs/quality.md); null without validation. */
  validation_mode?: 'gt' | 'gt_pool' | null;
  created_date: string;
  updated_date: string;
}

export interface Job {
  id: number;
  task_id: number;
  project_id: number | null;
  task_name?: string;
  assignee: UserRef | null;
  stage: JobStage;
  state: JobState;
  start_frame: number;
  stop_frame: number;
  frame_count: number;
  type: 'annotation' | 'ground_truth' | 'consensus_replica';
  updated_date: string;
}

export const ATTRIBUTE_INPUTS = ['select', 'radio', 'checkbox', 'number', 'text'] as const;
export type AttributeInput = (typeof ATTRIBUTE_INPUTS)[number];

export interface Attribute {
  id?: number;
  name: string;
  input_type: AttributeInput;
  mutable: boolean;
  values: string[];
  default_value?: string;
}

export const LABEL_TYPES = ['any', 'rectangle', 'polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton', 'tag'] as const;
export type LabelType = (typeof LABEL_TYPES)[number];

export interface Label {
  id?: number;
  name: string;
  color: string;
  type: LabelType;
  attributes: Attribute[];
}

export interface FrameMeta {
  width: number;
  height: number;
  name: string;
}

export interface DataMeta {
  start_frame: number;
  stop_frame: number;
  frame_filter: string;
  frames: FrameMeta[];
  size: number;
  image_quality: number;
  chunk_size: number;
  included_frames?: number[] | null;
}

export interface Organization {
  id: number;
  slug: string;
  name: string;
  description: string;
  owner: UserRef | null;
  created_date: string;
}

export type OrgRole = 'owner' | 'maintainer' | 'supervisor' | 'worker';

export interface Membership {
  id: number;
  user: UserRef;
  organization: number;
  role: OrgRole;
  is_active: boolean;
  joined_date: string | null;
  /** The key of the invitation this membership came from, or null. */
  invitation: string | null;
}

export interface Invitation {
  key: string;
  role: OrgRole;
  user: UserRef;
  owner: UserRef | null;
  organization: number;
  created_date: string;
  accepted: boolean;
  expired: boolean;
  organization_info: { id: number; slug: string };
}

/** Framewise's per-organization switches for workers (docs/organizations.md). */
export interface OrganizationSettings {
  workers_can_export: boolean;
  workers_see_task: boolean;
  workers_change_completed_jobs: boolean;
}

export interface AccessToken {
  id: number;
  name: string;
  created_date: string;
  updated_date: string;
  expiry_date: string | null;
  last_used_date: string | null;
  read_only: boolean;
  /** The key: only in the answer that created the token. */
  value?: string;
}

export interface AuditEvent {
  id: number;
  date: string;
  action: string;
  actor: { id: number | null; username: string } | null;
  user: { id: number | null; username: string } | null;
  address: string;
  details: Record<string, unknown>;
}

export interface RequestStatus {
  id: string;
  status: 'queued' | 'started' | 'finished' | 'failed';
  message: string;
  progress: number | null;
  result_url?: string | null;
  /** The id of what the request made (a quality report). */
  result_id?: number | null;
}

export interface AuthMethods {
  password: boolean;
  ldap: boolean;
  oidc: { name: string; login_url: string } | null;
}
