/**
 * Several text files written in one pass over the frames (one list per subset, or a CSV per kind
 * of annotation): the first file written to streams to the sink while frames arrive; the text of
 * the others is held and written after it, then binary files and image copies that came up on the
 * way (a sink that writes an archive one entry at a time cannot take them while a file is open).
 * Held text is what the files will contain, never the frames themselves.
 *
 * Shared by the WIDER Face, VGGFace2, Open Images, ICDAR, LFW and Market-1501 exporters.
 */
import type { DatasetImage, ExportSink, FrameAnnotations } from '../model.js';

export class FileSet {
  private streamPath: string | undefined;
  private closed = false;
  private started = false;
  private pending: string[] = [];
  private readonly held = new Map<string, string[]>();
  private readonly binaries: Array<[string, Uint8Array]> = [];
  private readonly images: Array<[DatasetImage, string]> = [];

  /** Appends text to a file; `header` starts the file when this is its first text. */
  write(path: string, text: string, header = ''): void {
    if (this.streamPath === undefined) this.streamPath = path;
    if (path === this.streamPath) {
      if (this.closed) throw new Error(`${path} is already written`);
      if (!this.started) this.pending.push(header);
      this.started = true;
      this.pending.push(text);
      return;
    }
    let parts = this.held.get(path);
    if (!parts) this.held.set(path, (parts = [header]));
    parts.push(text);
  }

  /** Whether a file has been started (files that exist only when something goes in them). */
  has(path: string): boolean {
    return path === this.streamPath || this.held.has(path);
  }

  binary(path: string, bytes: Uint8Array): void {
    this.binaries.push([path, bytes]);
  }

  image(image: DatasetImage, path: string): void {
    this.images.push([image, path]);
  }

  /** @internal */
  get streamed(): string | undefined {
    return this.streamPath;
  }

  /** @internal */
  drain(): string {
    const text = this.pending.join('');
    this.pending = [];
    return text;
  }

  /** @internal */
  close(): void {
    this.closed = true;
  }

  /** @internal */
  async flush(sink: ExportSink): Promise<void> {
    for (const [path, parts] of this.held) await sink.file(path, parts.join(''));
    for (const [path, bytes] of this.binaries) await sink.file(path, bytes);
    for (const [image, path] of this.images) await sink.image(image, path);
  }
}

/**
 * Runs `each` over the frames, then `end` (files that need every frame seen, such as label
 * counts), streaming the first file written and writing the rest afterwards.
 */
export async function writeFrames(
  frames: AsyncIterable<FrameAnnotations>,
  sink: ExportSink,
  each: (frame: FrameAnnotations, out: FileSet) => void | Promise<void>,
  end?: (out: FileSet) => void | Promise<void>,
): Promise<void> {
  const out = new FileSet();
  const it = frames[Symbol.asyncIterator]();
  let done = false;
  while (out.streamed === undefined) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    await each(next.value, out);
  }
  if (!done) {
    async function* stream(): AsyncGenerator<string> {
      yield out.drain();
      for (let next = await it.next(); !next.done; next = await it.next()) {
        await each(next.value, out);
        const text = out.drain();
        if (text) yield text;
      }
      await end?.(out);
      yield out.drain();
      out.close();
    }
    await sink.file(out.streamed!, stream());
  } else {
    await end?.(out);
    const path = out.streamed;
    if (path !== undefined) await sink.file(path, out.drain());
    out.close();
  }
  await out.flush(sink);
}
