/**
 * Keyboard shortcuts (CVAT's defaults where it has them). The active tool sees each key first
 * (Esc, Enter, N and Backspace mean something while drawing); the rest are editor-wide:
 *
 *   Ctrl+Z undo · Ctrl+Shift+Z / Ctrl+Y redo · Ctrl+C / Ctrl+V copy, paste onto this frame
 *   Delete delete (Shift+Delete also locked objects) · Tab / Shift+Tab next / previous object
 *   + / - to foreground / background · H hide · L lock · Q occluded · N draw (last drawing tool)
 *   Ctrl+= / Ctrl+- zoom in / out · Ctrl+0 fit · Space held: drag to pan · Esc clear selection
 *
 * Cmd works for Ctrl. Letters are read from `code` when `key` is not a Latin letter, so the
 * shortcuts work on other keyboard layouts.
 */
import type { Editor } from './editor';
import type { KeyInfo, Tool } from './tools';

function letter(k: KeyInfo): string {
  const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
  if (/^[a-z]$/.test(key) || !/^Key[A-Z]$/.test(k.code)) return key;
  return k.code.slice(3).toLowerCase();
}

export function handleKey(editor: Editor, tool: Tool, k: KeyInfo): boolean {
  if (tool.keyDown(k)) return true;
  const key = letter(k);
  if ((k.ctrlKey || k.metaKey) && !k.altKey) {
    switch (key) {
      case 'z':
        if (k.shiftKey) editor.redo();
        else editor.undo();
        return true;
      case 'y':
        editor.redo();
        return true;
      case 'c':
        return editor.copy() > 0;
      case 'v':
        return editor.paste() > 0;
      case '=':
      case '+':
        editor.zoomIn();
        return true;
      case '-':
        editor.zoomOut();
        return true;
      case '0':
        editor.fit();
        return true;
      default:
        return false;
    }
  }
  if (k.ctrlKey || k.metaKey || k.altKey) return false;
  switch (key) {
    case ' ':
      editor.setSpaceHeld(true);
      return true;
    case 'Delete':
      return editor.deleteSelected(k.shiftKey) > 0;
    case 'Tab':
      return editor.step(k.shiftKey ? -1 : 1);
    case '+':
    case '=':
      return editor.raise() > 0;
    case '-':
    case '_':
      return editor.lower() > 0;
    case 'n':
      if (tool.name === 'select') editor.setTool(editor.drawTool);
      return true;
    case 'h':
      return !k.shiftKey && editor.toggle('hidden') > 0;
    case 'l':
      return !k.shiftKey && editor.toggle('locked') > 0;
    case 'q':
      return !k.shiftKey && editor.toggle('occluded') > 0;
    default:
      return false;
  }
}
