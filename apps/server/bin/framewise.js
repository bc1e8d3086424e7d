#!/usr/bin/env node
// The `framewise` command. Builds the server first when this checkout has not been built yet,
// so `npx framewise ...` works straight after `npm ci`.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  const root = join(here, '..', '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, stdio: 'inherit' });
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
