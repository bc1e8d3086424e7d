/**
 * Tasks from a cloud storage (s3rver, an S3-compatible server on loopback), end to end
 * (POST data -> request finished), measured in one run:
 *   - N/10 and N objects listed in a CVAT manifest (.jsonl): seconds and the ratio N/(N/10)
 *     (targets: N = 100,000 under 60 s; the N/10 run no more than 1/8 of the N run);
 *   - N/10 objects by prefix, without a manifest (ranged reads of image headers): objects/s;
 *   - the server's peak RSS (VmRSS sampled every 200 ms) during each creation (target < 500 MB),
 *     and the slowest GET /api/server/health answered meanwhile (how long the API stalls);
 *   - for comparison, the prefix run's work done by a plain S3 client against the same s3rver.
 * The prefix run goes first, so its peak RSS is its own and not what the 100k run left behind.
 * SERVER_ENV='{"NAME":"value"}' adds environment for the server process only (for a diagnosis).
 * The objects are tiny distinct-looking 64x48 JPEGs (a few hundred variants, bytes reused), put
 * through the S3 API with 32 PUTs in flight, under raw/<shard>/ (10 shards of N/10 objects, so the
 * prefix run lists exactly one shard and s3rver's directory walks stay bounded).
 *   node --import tsx bench/cloud-task.ts            (N=... to change the count; multiple of 10)
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { createS3Client } from '../apps/server/src/repositories/storage/s3-blob-store.js';
import { startS3rver } from '../apps/server/test/helpers/s3rver.js';
import { api, login, rssMb, startServer, waitRequest } from './lib.js';

// Node 20 is supported here; the SDK's notice about 2027 is noise in the figures (the server inherits this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const N = Number(process.env.N ?? 100_000);
if (!(Number.isInteger(N) && N >= 10 && N % 10 === 0)) throw new Error(`N must be a multiple of 10, got ${process.env.N}`);
const SHARD = N / 10;
const IN_FLIGHT = 32;
const VARIANTS = 300;
const W = 64;
const H = 48;

const keyOf = (i: number) => `raw/${String(Math.floor(i / SHARD)).padStart(2, '0')}/img_${String(i).padStart(6, '0')}`;

const s3 = await startS3rver({ bucket: 'bench' });
const server = await startServer({
  env: {
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    // Extra environment for the server process only, for a diagnosis: SERVER_ENV='{"NODE_OPTIONS":"--trace-gc"}'.
    ...(process.env.SERVER_ENV ? (JSON.parse(process.env.SERVER_ENV) as Record<string, string>) : {}),
  },
});
try {
  const raw = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  const put = (key: string, body: Buffer | string) => raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

  // A few hundred distinct tiny JPEGs: a colour and a noise pattern per variant.
  const variants: Buffer[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    variants.push(
      await sharp({ create: { width: W, height: H, channels: 3, background: { r: (v * 37) % 256, g: (v * 91) % 256, b: (v * 173) % 256 }, noise: { type: 'gaussian', mean: 128, sigma: 20 + (v % 30) } } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    );
  }

  let t = performance.now();
  let next = 0;
  let done = 0;
  let lastReport = performance.now();
  const uploader = async () => {
    while (next < N) {
      const i = next++;
      await put(`${keyOf(i)}.jpg`, variants[i % VARIANTS]!);
      done++;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        const s = (lastReport - t) / 1000;
        console.log(`  uploaded ${done} of ${N} (${(done / s).toFixed(0)} PUT/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, uploader));
  const uploadS = (performance.now() - t) / 1000;
  console.log(`uploaded ${N} ${W}x${H} JPEGs (${VARIANTS} variants, ~${(variants.reduce((a, b) => a + b.length, 0) / VARIANTS / 1024).toFixed(1)} KB each) to s3rver in ${uploadS.toFixed(1)} s (${(N / uploadS).toFixed(0)} PUT/s, ${IN_FLIGHT} in flight)`);

  const manifest = (count: number) =>
    [{ version: '1.1' }, { type: 'images' }, ...Array.from({ length: count }, (_, i) => ({ name: keyOf(i), extension: '.jpg', width: W, height: H }))]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n';
  const small = manifest(SHARD);
  const large = manifest(N);
  await put(`manifest_${SHARD}.jsonl`, small);
  await put(`manifest_${N}.jsonl`, large);
  console.log(`manifests: manifest_${SHARD}.jsonl ${(small.length / 1e6).toFixed(1)} MB, manifest_${N}.jsonl ${(large.length / 1e6).toFixed(1)} MB`);

  const key = await login(server.url);
  const storage = await api(server.url, key, 'POST', '/api/cloudstorages', {
    provider_type: 'AWS_S3_BUCKET',
    resource: s3.bucket,
    display_name: 'bench bucket',
    credentials_type: 'KEY_SECRET_KEY_PAIR',
    key: s3.credentials.accessKeyId,
    secret_key: s3.credentials.secretAccessKey,
    specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}`,
    manifests: [`manifest_${SHARD}.jsonl`, `manifest_${N}.jsonl`],
  });
  const pid = server.proc.pid!;
  console.log(`server idle RSS: ${(await rssMb(pid)).toFixed(0)} MB`);

  const measure = async (label: string, serverFiles: string[], expected: number) => {
    const task = await api(server.url, key, 'POST', '/api/tasks', { name: label, labels: [{ name: 'car' }], segment_size: 500 });
    const before = await rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined);
    }, 200);
    // How long the API keeps other callers waiting meanwhile: GET /api/server/health in a loop.
    let probing = true;
    let slowest = 0;
    const prober = (async () => {
      while (probing) {
        const t0 = performance.now();
        await fetch(`${server.url}/api/server/health`).then((r) => r.arrayBuffer());
        slowest = Math.max(slowest, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    try {
      const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, cloud_storage_id: storage.id, server_files: serverFiles });
      await waitRequest(server.url, key, rq_id);
    } finally {
      clearInterval(sampler);
      probing = false;
      await prober;
    }
    const ms = performance.now() - started;
    peak = Math.max(peak, await rssMb(pid));
    const meta = await api(server.url, key, 'GET', `/api/tasks/${task.id}`);
    if (meta.size !== expected) throw new Error(`${label}: expected ${expected} frames, got ${meta.size}`);
    // The last frame is readable through the API (original streamed from the bucket).
    const res = await fetch(`${server.url}/api/tasks/${task.id}/data?type=frame&number=${expected - 1}&quality=original`, { headers: { authorization: `Token ${key}` } });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || !body.equals(variants[(expected - 1) % VARIANTS]!)) throw new Error(`${label}: frame ${expected - 1} came back ${res.status}, ${body.length} bytes`);
    return { ms, peak, before, slowest };
  };

  // The prefix run first, so its peak is not the 100k run's leftovers; then the manifests.
  const p = await measure(`prefix ${SHARD}`, ['raw/00/'], SHARD);
  console.log(
    `${SHARD} objects by prefix, no manifest (listing + ranged header reads): ${(p.ms / 1000).toFixed(2)} s, ${((SHARD / p.ms) * 1000).toFixed(0)} objects/s; ` +
      `server RSS ${p.before.toFixed(0)} MB before, peak ${p.peak.toFixed(0)} MB; slowest health check meanwhile ${p.slowest.toFixed(0)} ms`,
  );
  const m1 = await measure(`manifest ${SHARD}`, [`manifest_${SHARD}.jsonl`], SHARD);
  console.log(`${SHARD} objects from a manifest: ${(m1.ms / 1000).toFixed(2)} s (${((m1.ms / SHARD) * 1000).toFixed(0)} us/object); server RSS ${m1.before.toFixed(0)} MB before, peak ${m1.peak.toFixed(0)} MB; slowest health check meanwhile ${m1.slowest.toFixed(0)} ms`);
  const m2 = await measure(`manifest ${N}`, [`manifest_${N}.jsonl`], N);
  console.log(`${N} objects from a manifest: ${(m2.ms / 1000).toFixed(2)} s (${((m2.ms / N) * 1000).toFixed(0)} us/object); server RSS ${m2.before.toFixed(0)} MB before, peak ${m2.peak.toFixed(0)} MB; slowest health check meanwhile ${m2.slowest.toFixed(0)} ms`);
  console.log(
    `ratio ${N}/${SHARD}: ${(m2.ms / m1.ms).toFixed(2)}x (linear = 10.00x; above 10x would be superlinear). ` +
      `The ${SHARD} run took ${((m1.ms / m2.ms) * 100).toFixed(1)}% of the ${N} run (brief: <= 12.5%) and ${((m1.ms / 60_000) * 100).toFixed(1)}% of 60 s`,
  );
  // For comparison: what a plain S3 client does against the same s3rver, the same work (list the
  // prefix page by page, then a 64 KB ranged GET of each object, 16 in flight like the server).
  t = performance.now();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await raw.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'raw/00/', ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const listMs = performance.now() - t;
  let k = 0;
  const reader = async () => {
    while (k < keys.length) {
      const res = await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keys[k++]!, Range: 'bytes=0-65535' }));
      await res.Body!.transformToByteArray();
    }
  };
  await Promise.all(Array.from({ length: 16 }, reader));
  const directMs = performance.now() - t;
  if (keys.length !== SHARD) throw new Error(`listing found ${keys.length} keys, expected ${SHARD}`);
  console.log(
    `same work by a plain S3 client against s3rver: list ${(listMs / 1000).toFixed(2)} s + ranged GETs ${((directMs - listMs) / 1000).toFixed(2)} s = ` +
      `${(directMs / 1000).toFixed(2)} s, ${((SHARD / directMs) * 1000).toFixed(0)} objects/s`,
  );
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}; peak server RSS over all creations: ${Math.max(m1.peak, m2.peak, p.peak).toFixed(0)} MB (target < 500 MB)`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
  await s3.stop();
}
