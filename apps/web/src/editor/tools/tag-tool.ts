/**
 * Tags the frame: each click (or Enter / N) adds a tag with the active label, as CVAT's tag
 * annotation mode does; a label the frame already has is not added twice. Esc returns to select.
 */
import { plainKey, type KeyInfo, type PointerInfo, type Tool, type ToolContext } from './types';

export class TagTool implements Tool {
  readonly name = 'tag' as const;
  readonly state = 'idle';

  constructor(private readonly ctx: ToolContext) {}

  pointerDown(e: PointerInfo): void {
    if (e.button === 0) this.ctx.create('tag', []);
  }

  pointerMove(): void {}

  pointerUp(): void {}

  keyDown(k: KeyInfo): boolean {
    if (!plainKey(k)) return false;
    if (k.key === 'Escape') {
      this.ctx.setTool('select');
      return true;
    }
    if (k.key === 'Enter' || k.key.toLowerCase() === 'n') {
      this.ctx.create('tag', []);
      return true;
    }
    return false;
  }

  cancel(): void {}

  draft(): null {
    return null;
  }

  cursor(): string {
    return 'copy';
  }
}
