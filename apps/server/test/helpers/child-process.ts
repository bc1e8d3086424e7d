/**
 * Plumbing for the real servers tests start as child processes (s3rver, slapd): the tail of
 * their stderr for error messages, a kill that waits, and cleanup should the test process exit
 * without stopping them.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** Keeps the last 8 KB of the child's stderr; returns a reader of it. */
export function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    tail = (tail + s).slice(-8192);
  });
  return () => tail;
}

/** Kills the child and removes `dir` when the test process exits; returns the hook's remover. */
export function cleanUpOnExit(child: ChildProcess, dir: string): () => void {
  const onExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

/** SIGTERM (and closes its stdin), SIGKILL after `graceMs`; resolves when the child has exited. */
export async function killAndWait(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
