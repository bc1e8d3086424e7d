/**
 * The canvas the engine draws on, and the DOM events it is fed. Pointer positions go in as view
 * pixels relative to the canvas; the engine converts them to image pixels itself.
 */
import { useEffect, useRef } from 'react';
import type { Editor, PointerInput } from '../../editor/editor';
import { CanvasRenderer } from '../../editor/render/canvas-renderer';

function pointerInput(e: React.PointerEvent<HTMLCanvasElement> | PointerEvent, canvas: HTMLCanvasElement): PointerInput {
  const r = canvas.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top, button: e.button, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, detail: e.detail };
}

export function CanvasView({ editor, image, filters }: { editor: Editor; image: ImageBitmap | null; filters: { brightness: number; contrast: number } }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const renderer = useRef<CanvasRenderer | null>(null);

  useEffect(() => {
    const el = canvas.current!;
    const r = new CanvasRenderer(el, editor);
    renderer.current = r;
    // Debug hook for bench/workspace.ts, which times the engine inside the real page: with
    // localStorage 'framewise.debug' = '1' the page exposes it as window.__framewise. Off by
    // default; it gives a script nothing the page's own code could not already reach.
    const debug = localStorage.getItem('framewise.debug') === '1' ? (window as { __framewise?: unknown }) : null;
    if (debug) debug.__framewise = { editor, renderer: r };
    const resize = new ResizeObserver(() => {
      const box = el.parentElement!.getBoundingClientRect();
      editor.setCanvasSize(Math.floor(box.width), Math.floor(box.height));
    });
    resize.observe(el.parentElement!);
    // Wheel must be a non-passive listener to keep the page from scrolling while zooming.
    const onWheel = (e: WheelEvent) => {
      const rect = el.getBoundingClientRect();
      if (editor.wheel({ x: e.clientX - rect.left, y: e.clientY - rect.top, deltaY: e.deltaY, ctrlKey: e.ctrlKey })) e.preventDefault();
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      resize.disconnect();
      el.removeEventListener('wheel', onWheel);
      r.destroy();
      renderer.current = null;
      if (debug) delete debug.__framewise;
    };
  }, [editor]);

  useEffect(() => renderer.current?.setImage(image), [image]);
  useEffect(() => renderer.current?.setFilters(filters), [filters]);

  return (
    <canvas
      ref={canvas}
      className="ws-canvas-el"
      data-testid="workspace-canvas"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        // Focus leaves any field, so shortcuts reach the editor again.
        (document.activeElement as HTMLElement | null)?.blur?.();
        editor.pointerDown(pointerInput(e, e.currentTarget));
      }}
      onPointerMove={(e) => editor.pointerMove(pointerInput(e, e.currentTarget))}
      onPointerUp={(e) => editor.pointerUp(pointerInput(e, e.currentTarget))}
      onPointerLeave={() => editor.pointerLeave()}
      onContextMenu={(e) => e.preventDefault()}
    />
  );
}
