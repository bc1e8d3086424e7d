import type { UserRef } from '../api/types';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(iso)) : '—';
}

export function userName(user: UserRef | null | undefined): string {
  if (!user) return '—';
  const full = `${user.first_name} ${user.last_name}`.trim();
  return full ? `${full} (${user.username})` : user.username;
}
