import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage, waitForRequest } from '../helpers/media.js';

let s: TestServer;
let taskId: number;
let labels: Record<string, number>;

const rect = (frame: number, label: number, points: number[], extra: Record<string, unknown> = {}) => ({
  type: 'rectangle', frame, label_id: label, points, group: 0, source: 'manual', attributes: [], occluded: false, z_order: 0, rotation: 0, ...extra,
});

beforeAll(async () => {
  s = await startTestServer();
  const files = await Promise.all([0, 1, 2].map(async (i) => ({ name: `img${i}.png`, data: await makeImage(100, 80, 'png', i) })));
  ({ taskId } = await createTaskWithImages(s.admin, files, { labels: [{ name: 'car' }, { name: 'person' }] }));
  const ls = await s.admin.get(`/api/labels?task_id=${taskId}`);
  labels = Object.fromEntries(ls.body.results.map((l: any) => [l.name, l.id]));
});
afterAll(async () => {
  await s?.close();
});

async function putAnnotations() {
  const res = await s.admin.put(`/api/tasks/${taskId}/annotations`, {
    version: 0,
    tags: [{ frame: 1, label_id: labels.person, group: 0, source: 'manual', attributes: [] }],
    shapes: [
      rect(0, labels.car!, [10, 10, 50, 40]),
      rect(2, labels.person!, [5, 5, 20, 30]),
      { ...rect(1, labels.car!, [10, 10, 40, 10, 40, 40]), type: 'polygon' },
      { ...rect(1, labels.person!, [50, 50, 60, 45]), type: 'ellipse' },
    ],
    tracks: [],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function exportAs(format: string, query = ''): Promise<{ request: any; files: Record<string, Uint8Array> }> {
  const res = await s.admin.post(`/api/tasks/${taskId}/dataset/export?format=${encodeURIComponent(format)}${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(s.admin, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  expect(request.result_url).toMatch(/^http:\/\/.+\/api\/requests\/.+\/download$/);
  const download = await s.admin.get(new URL(request.result_url).pathname);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('application/zip');
  return { request, files: unzipSync(new Uint8Array(download.raw)) };
}

async function importFile(name: string, data: Uint8Array | string, format: string, query = ''): Promise<any> {
  const form = new FormData();
  form.append('annotation_file', new Blob([data]), name);
  const res = await s.admin.form('POST', `/api/tasks/${taskId}/annotations/?format=${encodeURIComponent(format)}${query}`, form);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return waitForRequest(s.admin, res.body.rq_id);
}

describe('dataset formats', () => {
  it('lists importers and exporters with CVAT names', async () => {
    const res = await s.admin.get('/api/server/annotation/formats');
    expect(res.status).toBe(200);
    const names = (list: any[]) => list.map((f) => f.name);
    expect(names(res.body.exporters)).toEqual(expect.arrayContaining(['COCO 1.0', 'CVAT for images 1.1', 'CVAT for video 1.1', 'Datumaro 1.0', 'YOLO 1.1', 'PASCAL VOC 1.1']));
    expect(names(res.body.importers)).toEqual(expect.arrayContaining(['COCO 1.0', 'CVAT 1.1', 'Datumaro 1.0', 'YOLO 1.1']));
    expect(names(res.body.exporters)).not.toContain('CVAT 1.1');
    expect(res.body.exporters.find((f: any) => f.name === 'COCO 1.0')).toMatchObject({ ext: 'ZIP', version: '1.0', enabled: true, dimension: '2D' });
  });
});

describe('dataset export', () => {
  it('exports COCO in the background and says in the request and the archive what COCO cannot hold', async () => {
    await putAnnotations();
    const { request, files } = await exportAs('COCO 1.0');
    expect(request.operation).toMatchObject({ type: 'export:annotations', target: 'task', task_id: taskId, format: 'COCO 1.0' });
    const jsonName = Object.keys(files).find((f) => f.startsWith('annotations/') && f.endsWith('.json'))!;
    const coco = JSON.parse(new TextDecoder().decode(files[jsonName]));
    expect(coco.images.map((i: any) => i.file_name)).toEqual(['img0.png', 'img1.png', 'img2.png']);
    expect(coco.categories.map((c: any) => c.name)).toEqual(['car', 'person']);
    // Two boxes, the polygon and the ellipse (as a mask); the tag has no place in COCO.
    expect(coco.annotations).toHaveLength(4);
    expect(coco.annotations[0]).toMatchObject({ image_id: 1, bbox: [10, 10, 40, 30] });
    expect(request.message).toMatch(/tag/);
    expect(new TextDecoder().decode(files['export_report.txt'])).toMatch(/tag/);
  });

  it('includes the images when asked, and refuses unknown formats naming the field', async () => {
    const { files, request } = await exportAs('YOLO 1.1', '&save_images=true');
    expect(request.operation.type).toBe('export:dataset');
    const images = Object.keys(files).filter((f) => f.endsWith('.png'));
    expect(images).toHaveLength(3);
    const bad = await s.admin.post(`/api/tasks/${taskId}/dataset/export?format=Nope%201.0`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/format/);
  });

  it('deletes archives past their expiry, and the previous archive when an export is run again', async () => {
    const archives = async () => {
      const keys: string[] = [];
      for await (const b of s.ctx.repos.blobs.list('exports/')) keys.push(b.key);
      return keys;
    };
    const before = await archives();
    const { request } = await exportAs('MOT 1.1');
    const first = await archives();
    expect(first.length).toBe(before.length + 1);
    await exportAs('MOT 1.1');
    expect((await archives()).length).toBe(first.length);
    await s.ctx.database.db.updateTable('requests').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', request.id).execute();
    expect(await s.ctx.services.datasetExports.deleteExpired()).toBe(1);
    expect((await archives()).length).toBe(before.length);
    expect((await s.admin.get(new URL(request.result_url).pathname)).status).toBe(404);
  });

  it('exports a job: only its frames', async () => {
    const jobs = await s.admin.get(`/api/jobs?task_id=${taskId}`);
    const jobId = jobs.body.results[0].id;
    const res = await s.admin.post(`/api/jobs/${jobId}/dataset/export?format=CVAT%20for%20images%201.1`);
    expect(res.status).toBe(202);
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status, request.message).toBe('finished');
    const files = unzipSync(new Uint8Array((await s.admin.get(new URL(request.result_url).pathname)).raw));
    const xml = new TextDecoder().decode(files['annotations.xml']);
    expect(xml.match(/<image /g)).toHaveLength(3);
    expect(xml.match(/<box /g)).toHaveLength(2);
  });
});

describe('every format through the server', () => {
  it('exports the task in each export format and imports each export back where the format reads it', async () => {
    await putAnnotations();
    const formats = (await s.admin.get('/api/server/annotation/formats')).body;
    const importers = new Set<string>(formats.importers.map((f: any) => f.name));
    const outcomes: string[] = [];
    for (const f of formats.exporters as Array<{ name: string }>) {
      // Each import replaces the annotations with what the previous format could hold.
      await putAnnotations();
      const { files, request } = await exportAs(f.name);
      expect(Object.keys(files).length, f.name).toBeGreaterThan(0);
      const importer = f.name.startsWith('CVAT for') ? 'CVAT 1.1' : f.name;
      if (!importers.has(importer)) continue;
      const done = await importFile('export.zip', zipSync(files), importer, '&on_unknown_label=skip');
      outcomes.push(`${f.name}: ${done.status}${done.status === 'failed' ? ` (${done.message})` : ''}; export said: ${request.message}`);
    }
    expect(outcomes.filter((o) => o.includes(': failed'))).toEqual([]);
    await putAnnotations();
  }, 120_000);
});

describe('annotation import', () => {
  it('restores every object from a Datumaro export (lossless), replacing what the task had', async () => {
    await putAnnotations();
    const before = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    const { files } = await exportAs('Datumaro 1.0');
    await s.admin.delete(`/api/tasks/${taskId}/annotations`);
    const done = await importFile('dataset.zip', zipSync(files), 'Datumaro 1.0');
    expect(done.status, done.message).toBe('finished');
    expect(done.operation).toMatchObject({ type: 'import:annotations', target: 'task' });
    const after = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    const strip = (a: any) => ({
      tags: a.tags.map((t: any) => [t.frame, t.label_id]),
      shapes: a.shapes.map((x: any) => [x.frame, x.type, x.label_id, x.points.map((p: number) => Math.round(p * 100) / 100)]).sort(),
    });
    expect(strip(after)).toEqual(strip(before));
    // Importing again replaces rather than doubles.
    const again = await importFile('dataset.zip', zipSync(files), 'Datumaro 1.0');
    expect(again.status).toBe('finished');
    expect((await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes).toHaveLength(before.shapes.length);
  });

  it('saves an import batch by batch in one transaction: a bad later batch leaves the task as it was', async () => {
    await putAnnotations();
    const before = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    const self = (await s.admin.get('/api/users/self')).body;
    const auth = { user: { id: self.id, username: self.username, isSuperuser: true, isStaff: true }, tokenId: null, via: 'token' as const };
    const good = { tags: [], tracks: [], shapes: [rect(0, labels.car!, [1, 1, 5, 5])] };
    const bad = { tags: [], tracks: [], shapes: [rect(1, 999999, [1, 1, 5, 5])] };
    await expect(s.ctx.services.taskAnnotations.saveBatches(auth, taskId, 'put', [good, good, bad])).rejects.toThrow(/label/);
    const after = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(after.version).toBe(before.version);
    expect(after.shapes).toHaveLength(before.shapes.length);
    // Good batches make one save: one new version per job, however many batches.
    const version = await s.ctx.services.taskAnnotations.saveBatches(auth, taskId, 'put', [good, good, good]);
    expect(version).toBe(before.version + 1);
    expect((await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes).toHaveLength(3);
  });

  it('imports a CVAT XML uploaded the way CVAT SDK does (Upload-Start, TUS, Upload-Finish)', async () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
<image id="0" name="img0.png" width="100" height="80"><box label="person" source="manual" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40" z_order="0"></box></image>
<image id="2" name="img2.png" width="100" height="80"><polygon label="car" source="manual" occluded="0" points="1,1;20,1;20,20" z_order="0"></polygon></image>
</annotations>`;
    const url = `/api/tasks/${taskId}/annotations/?format=CVAT%201.1&filename=ann.xml`;
    expect((await s.admin.post(url, undefined, { 'upload-start': 'true' })).status).toBe(202);
    const body = Buffer.from(xml);
    const meta = `filename ${Buffer.from('ann.xml').toString('base64')}`;
    const created = await s.admin.request('POST', `/api/tasks/${taskId}/annotations/`, {
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(body.length), 'upload-metadata': meta },
    });
    expect(created.status).toBe(201);
    const patched = await s.admin.request('PATCH', new URL(created.headers.get('location')!).pathname, {
      body,
      headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    });
    expect(patched.status).toBe(204);
    const finished = await s.admin.post(url, undefined, { 'upload-finish': 'true' });
    expect(finished.status, JSON.stringify(finished.body)).toBe(202);
    const done = await waitForRequest(s.admin, finished.body.rq_id);
    expect(done.status, done.message).toBe('finished');
    const after = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(after.shapes.map((x: any) => [x.frame, x.type, x.label_id])).toEqual([
      [0, 'rectangle', labels.person],
      [2, 'polygon', labels.car],
    ]);
  });

  it('fails a malformed file naming it and the line, and leaves the annotations alone', async () => {
    const before = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    const done = await importFile('broken.json', '{"images": [\n  {"id": 1,,}\n]}', 'COCO 1.0');
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/broken\.json.*2/);
    expect((await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes).toHaveLength(before.shapes.length);
  });

  it('refuses labels the task lacks unless told to skip them, and counts what it skipped', async () => {
    const xml = `<annotations><version>1.1</version>
<image id="0" name="img0.png" width="100" height="80"><box label="truck" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40"></box><box label="car" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40"></box></image></annotations>`;
    const refused = await importFile('a.xml', xml, 'CVAT 1.1');
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/truck/);
    const skipped = await importFile('a.xml', xml, 'CVAT 1.1', '&on_unknown_label=skip');
    expect(skipped.status, skipped.message).toBe('finished');
    expect(skipped.message).toMatch(/truck \(1\)/);
    expect((await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes).toHaveLength(1);
  });

  it('refuses XML with entity declarations (external entities, entity bombs) without expanding them', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<annotations><version>1.1</version><image id="0" name="img0.png" width="100" height="80"><tag label="&x;"/></image></annotations>`;
    const refused = await importFile('xxe.xml', xxe, 'CVAT 1.1');
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/xxe\.xml.*entit/i);
    const lol = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<annotations><version>1.1</version><image id="0" name="img0.png" width="100" height="80"><tag label="&c;"/></image></annotations>`;
    const bomb = await importFile('lol.xml', lol, 'CVAT 1.1');
    expect(bomb.status).toBe('failed');
    expect(bomb.message).toMatch(/lol\.xml.*entit/i);
  });

  it('refuses an archive whose entries climb out of it', async () => {
    const zip = zipSync({ 'annotations.xml': Buffer.from('<annotations/>'), '../evil.xml': Buffer.from('x') });
    const done = await importFile('evil.zip', zip, 'CVAT 1.1');
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/evil\.zip: entry "\.\.\/evil\.xml" points outside/);
  });

  it('creates the labels the task lacks when asked, with their attributes, then imports their objects', async () => {
    const xml = `<annotations><version>1.1</version><meta><task><labels>
<label><name>bus</name><color>#ff0000</color><type>rectangle</type><attributes><attribute><name>doors</name><mutable>False</mutable><input_type>number</input_type><default_value>2</default_value><values>1
4
1</values></attribute></attributes></label>
</labels></task></meta>
<image id="0" name="img0.png" width="100" height="80"><box label="bus" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40"><attribute name="doors">3</attribute></box></image></annotations>`;
    const done = await importFile('bus.xml', xml, 'CVAT 1.1', '&on_unknown_label=create');
    expect(done.status, done.message).toBe('finished');
    expect(done.message).toMatch(/created labels: bus/);
    const ls = (await s.admin.get(`/api/labels?task_id=${taskId}`)).body.results;
    const bus = ls.find((l: any) => l.name === 'bus');
    expect(bus).toMatchObject({ type: 'rectangle', color: '#ff0000' });
    expect(bus.attributes.map((a: any) => [a.name, a.input_type, a.values])).toEqual([['doors', 'number', ['1', '4', '1']]]);
    const shapes = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes;
    expect(shapes).toHaveLength(1);
    expect(shapes[0]).toMatchObject({ label_id: bus.id, attributes: [{ spec_id: bus.attributes[0].id, value: '3' }] });
  });
});
