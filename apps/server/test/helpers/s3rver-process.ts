/**
 * Runs s3rver in its own process (see s3rver.ts for why). Usage: s3rver-process.ts <dir> <bucket>.
 * Prints one JSON line {"port": N} once the bucket exists and the server listens on 127.0.0.1.
 * Exits when stdin closes, so the server dies with its parent even if the parent is killed, and
 * removes <dir> on the way out, which a SIGKILLed parent cannot do.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
// s3rver ships no type declarations; this is the little of it used here.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverServer;

const directory = process.argv[2] ?? '';
const bucket = process.argv[3] ?? '';
if (!directory || !bucket) {
  process.stderr.write('usage: s3rver-process.ts <directory> <bucket>\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});

const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => undefined);
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
