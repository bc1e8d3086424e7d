import { AppError } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import type { UserRow } from '../db/schema.js';
import type { UserRepository } from '../repositories/user.repository.js';
import { sql, type Expression, type SqlBool } from 'kysely';
import { isAdmin, type Auth } from './auth/auth.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import { hashPassword, passwordProblem } from './auth/password.js';

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  superuser?: boolean;
  /** Defaults to `superuser`, as an administrator has always been staff here. */
  staff?: boolean;
}

export const USERNAME = /^[\w.@+-]{1,150}$/;

export const userListSpec: ListSpec = {
  id: { expr: 'users.id', kind: 'number', param: 'exact' },
  username: { expr: 'users.username', kind: 'string', search: true, param: 'exact' },
  first_name: { expr: 'users.first_name', kind: 'string', search: true, param: 'exact' },
  last_name: { expr: 'users.last_name', kind: 'string', search: true, param: 'exact' },
  is_active: { expr: 'users.is_active', kind: 'boolean', param: 'exact' },
};

export class UserService {
  constructor(private readonly users: UserRepository) {}

  async create(input: NewUser, passwordField = 'password'): Promise<UserRow> {
    if (!USERNAME.test(input.username)) {
      throw AppError.invalid('username', 'use 1-150 letters, digits and @/./+/-/_ only');
    }
    const problem = passwordProblem(input.password);
    if (problem) throw AppError.invalid(passwordField, problem);
    await this.checkUnique({ username: input.username, email: input.email ?? '' });
    return this.users.create({
      username: input.username,
      password_hash: await hashPassword(input.password),
      email: input.email ?? '',
      first_name: input.firstName ?? '',
      last_name: input.lastName ?? '',
      is_superuser: input.superuser ?? false,
      is_staff: input.staff ?? input.superuser ?? false,
    });
  }

  /** Usernames are unique, and so are emails where given: a login by email must find one account. */
  async checkUnique(values: { username?: string; email?: string }, exceptId?: number): Promise<void> {
    if (values.username !== undefined) {
      const other = await this.users.findByUsername(values.username);
      if (other && other.id !== exceptId) {
        throw new AppError('CONFLICT', `a user named "${values.username}" already exists`, [{ field: 'username', message: 'already exists' }]);
      }
    }
    if (values.email) {
      const other = await this.users.findByEmail(values.email);
      if (other && other.id !== exceptId) {
        throw new AppError('CONFLICT', 'a user with this email already exists', [{ field: 'email', message: 'already exists' }]);
      }
    }
  }

  /**
   * First boot without a browser: when the database has no user and a password is configured,
   * create the administrator. Concurrent instances may race here; the unique index lets one win.
   */
  async bootstrapAdmin(admin: { username: string; password: string | undefined; email: string }): Promise<UserRow | null> {
    if (!admin.password || (await this.users.count()) > 0) return null;
    try {
      return await this.create({ username: admin.username, password: admin.password, email: admin.email, superuser: true });
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') return null;
      // Another instance passed the check at the same moment and inserted first (unique_violation).
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  async self(auth: Auth): Promise<UserRow> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw new AppError('UNAUTHENTICATED', 'the user of this session no longer exists');
    return user;
  }

  /**
   * Whom a caller can find to assign work to: in an organization, its members (invited ones too,
   * so a manager sees who is pending); otherwise themself and the people of their organizations.
   * A contractor never lists the whole server; an administrator does. Emails stay private.
   */
  private visible(auth: Auth): Expression<SqlBool> {
    if (isAdmin(auth)) return sql<SqlBool>`true`;
    const uid = auth.user.id;
    if (auth.org) {
      return sql<SqlBool>`exists (select 1 from memberships vu_m where vu_m.user_id = users.id and vu_m.organization_id = ${auth.org.id})`;
    }
    return sql<SqlBool>`(users.id = ${uid} or exists (select 1 from memberships vu_m join memberships vu_mine
      on vu_mine.organization_id = vu_m.organization_id and vu_mine.user_id = ${uid} and vu_mine.is_active
      where vu_m.user_id = users.id))`;
  }

  list(auth: Auth, query: Record<string, unknown>) {
    return listPage(this.users.query().selectAll().where(this.visible(auth)), userListSpec, query, { defaultSort: 'id' });
  }

  async get(auth: Auth, id: number): Promise<UserRow> {
    const user = await this.users.query().selectAll().where('users.id', '=', id).where(this.visible(auth)).executeTakeFirst();
    if (!user) throw AppError.notFound('user', id);
    return user;
  }
}
