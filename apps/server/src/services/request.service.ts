import { AppError } from '../errors.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { Auth } from './auth/auth.js';

export const requestListSpec: ListSpec = {
  id: { expr: 'requests.id', kind: 'string' },
  status: { expr: 'requests.status', kind: 'string', param: 'exact', choices: ['queued', 'started', 'failed', 'finished'] },
  action: { expr: 'requests.operation_type', kind: 'string', param: 'exact' },
  target: { expr: 'requests.target', kind: 'string', param: 'exact' },
  subresource: { expr: 'requests.target', kind: 'string', param: 'exact', sort: false },
  format: { expr: 'requests.format', kind: 'string', param: 'exact' },
  project_id: { expr: 'requests.project_id', kind: 'number', param: 'exact', sort: false },
  task_id: { expr: 'requests.task_id', kind: 'number', param: 'exact', sort: false },
  job_id: { expr: 'requests.job_id', kind: 'number', param: 'exact', sort: false },
  created_date: { expr: 'requests.created_at', kind: 'date', filter: false },
};

/** Background requests: each user sees the ones they started; an admin sees all. */
export class RequestService {
  constructor(private readonly requests: RequestRepository) {}

  private base(auth: Auth) {
    let q = this.requests
      .query()
      .leftJoin('users as u', 'u.id', 'requests.owner_id')
      .selectAll('requests')
      .select('u.username as owner_username');
    if (!auth.user.isSuperuser) q = q.where('requests.owner_id', '=', auth.user.id);
    return q;
  }

  async get(auth: Auth, id: string) {
    const row = await this.base(auth).where('requests.id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound('request', id);
    return row;
  }

  list(auth: Auth, query: Record<string, unknown>) {
    return listPage(this.base(auth), requestListSpec, query, { defaultSort: '-created_date', tieBreaker: 'id' });
  }

  async cancel(auth: Auth, id: string): Promise<void> {
    await this.get(auth, id);
    if (!(await this.requests.requestCancel(id))) {
      throw new AppError('CONFLICT', `request ${id} has already finished`);
    }
  }
}
