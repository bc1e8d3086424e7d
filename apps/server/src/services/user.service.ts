import { AppError } from '../errors.js';
import type { UserRow } from '../db/schema.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { Auth } from './auth/auth.js';
import { hashPassword, passwordProblem } from './auth/password.js';

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  superuser?: boolean;
}

const USERNAME = /^[\w.@+-]{1,150}$/;

export class UserService {
  constructor(private readonly users: UserRepository) {}

  async create(input: NewUser): Promise<UserRow> {
    if (!USERNAME.test(input.username)) {
      throw AppError.invalid('username', 'use 1-150 letters, digits and @/./+/-/_ only');
    }
    const problem = passwordProblem(input.password);
    if (problem) throw AppError.invalid('password', problem);
    if (await this.users.findByUsername(input.username)) {
      throw new AppError('CONFLICT', `a user named "${input.username}" already exists`, [
        { field: 'username', message: 'already exists' },
      ]);
    }
    return this.users.create({
      username: input.username,
      password_hash: await hashPassword(input.password),
      email: input.email ?? '',
      first_name: input.firstName ?? '',
      last_name: input.lastName ?? '',
      is_superuser: input.superuser ?? false,
      is_staff: input.superuser ?? false,
    });
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
      throw e;
    }
  }

  async self(auth: Auth): Promise<UserRow> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw new AppError('UNAUTHENTICATED', 'the user of this session no longer exists');
    return user;
  }

  async get(_auth: Auth, id: number): Promise<UserRow> {
    const user = await this.users.findById(id);
    if (!user) throw AppError.notFound('user', id);
    return user;
  }
}
