/** Every shortcut in one panel (F1 or ?), and the autosave interval, kept per browser. */
import { useState } from 'react';
import { Modal } from '../../ui/Modal';

const AUTOSAVE_KEY = 'framewise.autosave-seconds';
const DEFAULT_AUTOSAVE = 30;

export function useAutosaveSeconds(): [number, (s: number) => void] {
  const [seconds, setSeconds] = useState(() => {
    const stored = Number(localStorage.getItem(AUTOSAVE_KEY));
    return localStorage.getItem(AUTOSAVE_KEY) !== null && Number.isFinite(stored) ? stored : DEFAULT_AUTOSAVE;
  });
  return [
    seconds,
    (s) => {
      localStorage.setItem(AUTOSAVE_KEY, String(s));
      setSeconds(s);
    },
  ];
}

const SHORTCUTS: [string, string][] = [
  ['N', 'Draw with the current tool (again: finish a polygon, polyline or points)'],
  ['Esc', 'Cancel drawing / clear the selection'],
  ['Enter', 'Finish a polygon, polyline or points'],
  ['F / D', 'Next / previous frame'],
  ['Ctrl+S', 'Save'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z, Ctrl+Y', 'Redo'],
  ['Del', 'Delete the selected objects (Shift+Del: locked ones too)'],
  ['Ctrl+C / Ctrl+V', 'Copy / paste objects (onto the current frame)'],
  ['Tab / Shift+Tab', 'Select the next / previous object'],
  ['+ / -', 'Bring to foreground / send to background'],
  ['H / L / Q', 'Hide / lock / mark occluded'],
  ['Wheel', 'Zoom at the pointer'],
  ['Ctrl+= / Ctrl+- / Ctrl+0', 'Zoom in / out / fit the frame'],
  ['Space + drag, drag on empty space', 'Pan'],
  ['Shift+click on an edge / Alt+click a vertex', 'Add / remove a polygon vertex'],
  ['F1 or ?', 'This help'],
];

export function ShortcutsHelp({ onClose, autosave, onAutosave }: { onClose: () => void; autosave: number; onAutosave: (s: number) => void }) {
  return (
    <Modal title="Keyboard shortcuts" open onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="inline">
        Autosave
        <select aria-label="Autosave interval" value={autosave} onChange={(e) => onAutosave(Number(e.target.value))}>
          <option value={0}>off</option>
          <option value={10}>every 10 s</option>
          <option value={30}>every 30 s</option>
          <option value={60}>every minute</option>
          <option value={300}>every 5 minutes</option>
        </select>
      </label>
      <div className="form-actions">
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
