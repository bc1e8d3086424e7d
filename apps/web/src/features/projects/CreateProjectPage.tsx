import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { Label, Project } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { LabelEditor } from './LabelEditor';
import { labelsForApi } from './labels';

export function CreateProjectPage() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [labels, setLabels] = useState<Label[]>([]);
  const create = useMutation({
    mutationFn: () => api.post<Project>('/api/projects', { name: name.trim(), labels: labelsForApi(labels) }),
    onSuccess: (project) => {
      void queries.invalidateQueries({ queryKey: ['projects'] });
      navigate(`/projects/${project.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section className="narrow">
      <h1>Create project</h1>
      <form onSubmit={submit} className="form">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
        </label>
        <h2>Labels</h2>
        <LabelEditor labels={labels} onChange={setLabels} />
        <ErrorMessage error={create.error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create project'}
          </button>
        </div>
      </form>
    </section>
  );
}
