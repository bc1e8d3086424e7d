import { useSyncExternalStore } from 'react';
import type { Editor } from '../../editor/editor';

/**
 * Re-renders the calling component when the engine's model changes (objects, selection, frame,
 * tool, history), not on pointer moves, hover or viewport changes: the canvas draws those itself,
 * and re-rendering the panels on every mouse move would cost more than the drawing.
 */
export function useEditorModel(editor: Editor): number {
  return useSyncExternalStore(editor.subscribe, () => editor.modelVersion);
}
