/**
 * The object layer's worker (layer-builder.ts): paints the records it is sent on an
 * OffscreenCanvas with the page's own painting code and hands the bitmap back, transferred.
 */
import type { LayerReply, LayerRequest } from './layer-builder';
import { unpackRecords } from './layer-pack';
import { paintLayerObjects } from './paint';

let canvas: OffscreenCanvas | null = null;

function build({ id, geometry: g, packed, colors, dpr, style }: LayerRequest): LayerReply {
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
  paintLayerObjects(ctx, g, unpackRecords(packed), (labelId) => byLabel.get(labelId), dpr, style);
  return { id, bitmap: canvas.transferToImageBitmap() };
}

self.onmessage = (e: MessageEvent<LayerRequest>) => {
  let reply: LayerReply;
  try {
    reply = build(e.data);
  } catch (err) {
    reply = { id: e.data.id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply, { transfer: 'bitmap' in reply ? [reply.bitmap] : [] });
};
