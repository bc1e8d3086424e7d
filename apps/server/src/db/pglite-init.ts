/**
 * Creates an embedded PostgreSQL cluster in the directory given as argument, then exits. Run in
 * a child process by database.ts so that the ~800 MB initdb touches is not kept by the server:
 * a WASM heap never shrinks.
 */
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: pglite-init <dataDir>');
  process.exit(2);
}
const db = new PGlite({ dataDir: dir });
await db.waitReady;
await db.close();
