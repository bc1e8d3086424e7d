/**
 * A real S3-compatible server for tests: s3rver in a child process on 127.0.0.1, a random port
 * and a fresh temp directory, with one empty bucket.
 *
 * Why a child process: s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
 * only offers with --openssl-legacy-provider (without it the second page of any listing fails);
 * that flag belongs to the s3rver process, not to every test worker. It also keeps s3rver's
 * synchronous directory walks off the test's event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanUpOnExit, killAndWait, stderrTail } from './child-process.js';

export interface S3rverHandle {
  /** e.g. 'http://127.0.0.1:43127'; use with forcePathStyle: true. */
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver accepts only this key pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'framewise-test';
  const script = fileURLToPath(new URL('./s3rver-process.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'framewise-s3rver-'));

  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', tsx, script, dir, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = stderrTail(child);

  // Belt and braces: the child also exits when its stdin closes, which covers a killed parent.
  const forgetExitHook = cleanUpOnExit(child, dir);

  let port: number;
  try {
    port = await waitForPort(child, stderr);
  } catch (err) {
    forgetExitHook();
    await killAndWait(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // A forgotten stop() must not keep the test process alive; the exit hook still cleans up.
  unref(child);

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop() {
      stopped ??= (async () => {
        forgetExitHook();
        child.ref();
        await killAndWait(child);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

function waitForPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      cleanup();
      reject(new Error(`s3rver did not start: ${why}\n${stderr()}`));
    };
    const onData = (s: string) => {
      stdout += s;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      try {
        const { port } = JSON.parse(stdout.slice(0, nl)) as { port: unknown };
        if (typeof port !== 'number') throw new Error('no port');
        cleanup();
        resolve(port);
      } catch {
        fail(`unexpected output ${JSON.stringify(stdout.slice(0, 200))}`);
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? code})`);
    const onError = (err: Error) => fail(err.message);
    const timer = setTimeout(() => fail(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}


function unref(child: ChildProcess): void {
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
}
