/**
 * The `framewise` command line: administration that must work without a browser or a running
 * server. It opens the same database the server would (DATABASE_URL, or the embedded one in
 * FRAMEWISE_DATA_DIR) and migrates it first.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { UserRepository } from '../repositories/user.repository.js';
import { UserService } from '../services/user.service.js';

const USAGE = `usage:
  framewise user create --username NAME (--password PASSWORD | --password-stdin) [--email EMAIL]
                        [--first-name NAME] [--last-name NAME] [--superuser]
  framewise migrate

Settings come from the environment as for the server (DATABASE_URL, FRAMEWISE_DATA_DIR).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [group, command, ...rest] = argv;
    if (group === 'migrate' && command === undefined) {
      await withDatabase(async () => undefined);
      console.log('database is up to date');
      return 0;
    }
    if (group === 'user' && command === 'create') {
      const { values } = parseArgs({
        args: rest,
        options: {
          username: { type: 'string' },
          password: { type: 'string' },
          'password-stdin': { type: 'boolean', default: false },
          email: { type: 'string', default: '' },
          'first-name': { type: 'string', default: '' },
          'last-name': { type: 'string', default: '' },
          superuser: { type: 'boolean', default: false },
        },
        strict: true,
      });
      if (!values.username) throw new Error('--username is required');
      const password = values['password-stdin'] ? await readStdin() : values.password;
      if (!password) throw new Error('--password or --password-stdin is required');
      const user = await withDatabase((db) =>
        new UserService(new UserRepository(db)).create({
          username: values.username!,
          password,
          email: values.email,
          firstName: values['first-name'],
          lastName: values['last-name'],
          superuser: values.superuser,
        }),
      );
      console.log(`created ${user.is_superuser ? 'administrator' : 'user'} "${user.username}" (id ${user.id})`);
      return 0;
    }
    console.error(USAGE);
    return argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
  } catch (e) {
    if (e instanceof AppError || e instanceof ConfigError) console.error(`framewise: ${e.message}`);
    else console.error(`framewise: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
