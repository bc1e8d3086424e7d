/** Who is calling. Services take this as their first argument and check access against it. */
export interface Auth {
  user: {
    id: number;
    username: string;
    isSuperuser: boolean;
    isStaff: boolean;
  };
  tokenId: number | null;
  via: 'token' | 'session' | 'basic';
}

export function isAdmin(auth: Auth): boolean {
  return auth.user.isSuperuser;
}
