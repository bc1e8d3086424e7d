import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { Organization } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';

const FIELDS = ['slug', 'name', 'description'] as const;

/** /organizations/create: the creator becomes its owner and starts working in it. */
export function CreateOrganizationPage() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const { switchOrganization } = useSession();
  const create = useMutation({
    mutationFn: (body: Record<string, string>) => api.post<Organization>('/api/organizations', body),
    onSuccess: async (org) => {
      // The switcher must know the organization before it is chosen, or it falls back to personal.
      await queries.invalidateQueries({ queryKey: ['organizations'] });
      switchOrganization(org.slug);
      navigate('/organization');
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    create.mutate(Object.fromEntries(FIELDS.map((k) => [k, String(f.get(k) ?? '').trim()])));
  };
  const errors = fieldErrors(create.error);
  return (
    <section className="narrow">
      <h1>Create organization</h1>
      <p className="muted">An organization is a shared workspace: its projects and tasks belong to it, and you invite people into it with a role.</p>
      <form className="form org-form" onSubmit={submit}>
        <Field label="Short name (slug)" error={errors.slug} hint="1–16 letters, digits, “-” and “_”. Scripts name the organization by it (X-Organization).">
          <input name="slug" required maxLength={16} pattern="[\-a-zA-Z0-9_]+" title="1-16 letters, digits, - and _" autoFocus placeholder="acme" />
        </Field>
        <Field label="Name" error={errors.name}>
          <input name="name" maxLength={64} placeholder="Acme Inc." />
        </Field>
        <Field label="Description" error={errors.description}>
          <textarea name="description" rows={3} maxLength={10000} />
        </Field>
        <ErrorMessage error={formLevelError(create.error, FIELDS)} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create organization'}
          </button>
          <Link className="button" to="/organization">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
