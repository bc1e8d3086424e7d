/**
 * Boots Framewise by role: `api` serves HTTP, `worker` runs background jobs, `both` (the default,
 * and the only choice on the embedded database) does both in one process.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';
import { createContext, startWorkers } from './context.js';

async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const ctx = await createContext(config);
  const admin = await ctx.services.users.bootstrapAdmin(config.admin);
  if (admin) ctx.log.info({ username: admin.username }, 'created the first administrator');

  const app = config.role === 'worker' ? null : await buildApp(ctx);
  if (config.role !== 'api') await startWorkers(ctx);
  if (app) await app.listen({ port: config.port, host: config.host });
  ctx.log.info(
    { role: config.role, database: config.database.driver, storage: config.storage.driver, ms: Math.round(performance.now() - started) },
    app ? `Framewise listening on http://localhost:${config.port}` : 'Framewise worker started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      if (app) await app.close();
      await ctx.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
