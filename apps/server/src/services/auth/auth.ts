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
}

export function isAdmin(auth: Auth): boolean {
  return auth.user.isSuperuser;
}
