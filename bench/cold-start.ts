/**
 * Cold start to a healthy /api/server/health on embedded defaults (PGlite + local disk), first
 * boot (creates and migrates the database) and restart, and idle RSS. Target: < 5 s, < 300 MB.
 *   node --import tsx bench/cold-start.ts   (after npm run build)
 */
import fs from 'node:fs/promises';
import { rssMb, startServer, tempDir } from './lib.js';

const runs = Number(process.env.RUNS ?? 3);
const dataDir = await tempDir('fw-cold-');
const first = await startServer({ dataDir });
await new Promise((r) => setTimeout(r, 3000));
const idleRss = await rssMb(first.proc.pid!);
await first.stop();

const restarts: number[] = [];
for (let i = 0; i < runs; i++) {
  const s = await startServer({ dataDir });
  restarts.push(s.readyMs);
  await s.stop();
}
restarts.sort((a, b) => a - b);
await fs.rm(dataDir, { recursive: true, force: true });

console.log(`first boot (new database) to healthy: ${(first.readyMs / 1000).toFixed(2)} s`);
console.log(`restart to healthy, median of ${runs}: ${(restarts[Math.floor(runs / 2)]! / 1000).toFixed(2)} s`);
console.log(`idle RSS 3 s after start: ${idleRss.toFixed(0)} MB`);
