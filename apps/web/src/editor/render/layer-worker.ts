/**
 * The object layer's worker (layer-builder.ts): paints the records it is sent on an
 * OffscreenCanvas with the page's own painting code and hands the bitmap back, transferred.
 *
 * It paints in slices and rasterizes each one before the next (a 1-pixel readback makes the
 * canvas draw what it has recorded so far), checking between slices whether the page has
 * cancelled the build: a view that moves again makes the build useless, and on a machine with
 * few cores the worker's CPU is better left to the frames answering the annotator's input.
 */
import type { LayerReply, LayerRequest, LayerWorkerMessage } from './layer-builder';
import { unpackRecords } from './layer-pack';
import { paintLayerObjects } from './paint';

/** Records per slice: a few milliseconds of painting in software rasterization. */
const SLICE = 500;

let canvas: OffscreenCanvas | null = null;
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

/** Lets queued messages (a cancellation) run before the next slice. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

async function build({ id, geometry: g, packed, colors, dpr, style }: LayerRequest): Promise<LayerReply> {
  const width = Math.max(1, g.width);
  const height = Math.max(1, g.height);
  if (!canvas) canvas = new OffscreenCanvas(width, height);
  else if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return { id, error: 'no 2D context on OffscreenCanvas' };
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const byLabel = new Map(colors);
  const records = unpackRecords(packed);
  for (let i = 0; i < records.length; i += SLICE) {
    if (cancelled.has(id)) return { id, cancelled: true };
    paintLayerObjects(ctx, g, records.slice(i, i + SLICE), (labelId) => byLabel.get(labelId), dpr, style);
    ctx.getImageData(0, 0, 1, 1);
    await yieldToMessages();
  }
  if (cancelled.has(id)) return { id, cancelled: true };
  return { id, bitmap: canvas.transferToImageBitmap() };
}

async function run(request: LayerRequest): Promise<void> {
  let reply: LayerReply;
  try {
    reply = await build(request);
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  cancelled.delete(request.id);
  self.postMessage(reply, { transfer: 'bitmap' in reply ? [reply.bitmap] : [] });
}

self.onmessage = (e: MessageEvent<LayerWorkerMessage>) => {
  const message = e.data;
  if ('cancel' in message) {
    cancelled.add(message.cancel);
    return;
  }
  queue = queue.then(() => run(message));
};
