import type { OrgRole } from '../../db/schema.js';

/**
 * The organization a request names (X-Organization header, or `org` / `org_id` in the query, as
 * CVAT's clients send them). `role` is null for an administrator who is not a member.
 */
export interface OrgScope {
  id: number;
  slug: string;
  role: OrgRole | null;
}

/** Who is calling. Services take this as their first argument and check access against it. */
export interface Auth {
  user: {
    id: number;
    username: string;
    isSuperuser: boolean;
    isStaff: boolean;
  };
  /** The login token or session used, if any (what logout revokes). */
  tokenId: number | null;
  via: 'token' | 'session' | 'basic';
  /** Set when a personal access token authenticated the request. */
  accessToken?: { id: number; readOnly: boolean };
  /**
   * Where the request works: an organization, null for the personal workspace (the client sent
   * an empty organization), undefined when it named none. It scopes lists and is where new
   * projects, tasks and cloud storages go; access to one object follows that object's own
   * organization, whatever the request names.
   */
  org?: OrgScope | null;
}

export function isAdmin(auth: Auth): boolean {
  return auth.user.isSuperuser;
}
