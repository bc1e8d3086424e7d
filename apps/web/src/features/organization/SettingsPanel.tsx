/** The organization's switches for workers (a Framewise extension; docs/organizations.md). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Organization, OrganizationSettings } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';

const SETTINGS: { key: keyof OrganizationSettings; label: string; help: string }[] = [
  { key: 'workers_can_export', label: 'Workers may export', help: 'datasets and annotations of what they can see' },
  { key: 'workers_see_task', label: 'Workers see the task of their jobs', help: "the task's and project's names, labels and details" },
  { key: 'workers_change_completed_jobs', label: 'Workers may change completed jobs', help: 'otherwise a completed job is frozen until reopened' },
];

export function SettingsPanel({ org, canChange }: { org: Organization; canChange: boolean }) {
  const queries = useQueryClient();
  const key = ['organization-settings', org.id];
  const settings = useQuery({ queryKey: key, queryFn: () => api.get<OrganizationSettings>(`/api/organizations/${org.id}/settings`) });
  const save = useMutation({
    mutationFn: (patch: Partial<OrganizationSettings>) => api.patch<OrganizationSettings>(`/api/organizations/${org.id}/settings`, patch),
    // The box shows the click at once; a refusal puts back what the server has.
    onMutate: (patch) => {
      const before = queries.getQueryData<OrganizationSettings>(key);
      if (before) queries.setQueryData(key, { ...before, ...patch });
      return before;
    },
    onError: (_error, _patch, before) => queries.setQueryData(key, before),
    onSuccess: (next) => queries.setQueryData(key, next),
  });
  return (
    <div className="panel">
      <h2>Worker settings</h2>
      {!canChange && <p className="muted small">Only the owner and maintainers change these.</p>}
      <ErrorMessage error={settings.error ?? save.error} />
      {settings.data && (
        <div className="settings-list">
          {SETTINGS.map((s) => (
            <label key={s.key} className="setting">
              <input
                type="checkbox"
                checked={settings.data[s.key]}
                disabled={!canChange || save.isPending}
                onChange={(e) => save.mutate({ [s.key]: e.target.checked })}
              />
              <span>
                {s.label}
                <span className="muted small"> — {s.help}</span>
              </span>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
