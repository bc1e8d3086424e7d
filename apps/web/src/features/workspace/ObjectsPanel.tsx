/**
 * The frame's objects and the selected object's details. The list is windowed (only the rows in
 * view are in the DOM): a frame can hold 10,000 objects and this panel re-renders with every
 * engine change.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Editor } from '../../editor/editor';
import type { AnnotationRecord, EditorAttribute } from '../../editor/model';

const ROW_HEIGHT = 30;
const OVERSCAN = 6;

function AttributeInput({ attribute, value, onChange }: { attribute: EditorAttribute; value: string; onChange: (v: string) => void }) {
  const id = `attr-${attribute.id}`;
  switch (attribute.input_type) {
    case 'checkbox':
      return (
        <label className="inline">
          <input id={id} type="checkbox" checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} />
          {attribute.name}
        </label>
      );
    case 'select':
    case 'radio':
      return (
        <label>
          {attribute.name}
          <select value={value} onChange={(e) => onChange(e.target.value)}>
            {attribute.values.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
      );
    case 'number': {
      const [min, max, step] = attribute.values.map(Number);
      return (
        <label>
          {attribute.name}
          <input type="number" min={min} max={max} step={step} value={value} onChange={(e) => onChange(e.target.value)} />
        </label>
      );
    }
    case 'text':
      return (
        <label>
          {attribute.name}
          <input value={value} onChange={(e) => onChange(e.target.value)} />
        </label>
      );
  }
}

function Details({ editor, record }: { editor: Editor; record: AnnotationRecord }) {
  const label = editor.label(record.labelId);
  const fitting = editor.labelsFor(record.kind);
  return (
    <div className="ws-details" aria-label="Selected object">
      <div className="ws-details-head">
        <strong>
          {record.kind} {record.serverId !== undefined ? `#${record.serverId}` : '(new)'}
        </strong>
        <button type="button" className="danger" onClick={() => editor.deleteSelected()} title="Delete (Del)">
          Delete
        </button>
      </div>
      <label>
        Label
        <select aria-label="Object label" value={record.labelId} onChange={(e) => editor.update(record.id, { labelId: Number(e.target.value) })}>
          {fitting.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      {label?.attributes.map((a) => (
        <AttributeInput
          key={a.id}
          attribute={a}
          value={record.attributes[a.id] ?? a.default_value}
          onChange={(v) => editor.update(record.id, { attributes: { ...record.attributes, [a.id]: v } })}
        />
      ))}
      {record.kind !== 'tag' && (
        <div className="ws-flags">
          <label className="inline">
            <input type="checkbox" checked={record.occluded} onChange={(e) => editor.update(record.id, { occluded: e.target.checked })} />
            occluded
          </label>
          <label className="inline">
            <input type="checkbox" checked={record.locked} onChange={(e) => editor.update(record.id, { locked: e.target.checked })} />
            locked
          </label>
          <label className="inline">
            <input type="checkbox" checked={record.hidden} onChange={(e) => editor.update(record.id, { hidden: e.target.checked })} />
            hidden
          </label>
          <span className="ws-z">
            z {record.zOrder}
            <button type="button" className="icon-button" title="To foreground (+)" aria-label="Raise" onClick={() => editor.raise()}>
              ↑
            </button>
            <button type="button" className="icon-button" title="To background (-)" aria-label="Lower" onClick={() => editor.lower()}>
              ↓
            </button>
          </span>
        </div>
      )}
    </div>
  );
}

/** `children`: more sections under the list (the job's quality: conflicts, feedback). */
export function ObjectsPanel({ editor, children }: { editor: Editor; children?: ReactNode }) {
  const objects = editor.objectsOnFrame();
  const selected = new Set(editor.selection);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const list = useRef<HTMLDivElement>(null);
  // Measured when the panel's size changes, not on every render (that would force a layout).
  useEffect(() => {
    const el = list.current!;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(objects.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const record = editor.selection.length === 1 ? editor.get(editor.selection[0]!) : undefined;

  return (
    <aside className="ws-side" aria-label="Objects">
      {record && <Details editor={editor} record={record} />}
      <div className="ws-list-head">
        <strong>Objects</strong> <span className="muted small">{objects.length} on this frame</span>
      </div>
      <div
        className="ws-list"
        role="list"
        ref={list}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: objects.length * ROW_HEIGHT, position: 'relative' }}>
          {objects.slice(start, end).map((o, i) => {
            const label = editor.label(o.labelId);
            return (
              <div
                key={o.id}
                role="listitem"
                className={selected.has(o.id) ? 'ws-row selected' : 'ws-row'}
                style={{ top: (start + i) * ROW_HEIGHT, height: ROW_HEIGHT }}
                onClick={() => editor.select([o.id])}
              >
                <span className="swatch" style={{ background: label?.color ?? '#888' }} />
                <span className="ws-row-name">{label?.name ?? `label ${o.labelId}`}</span>
                <span className="muted small">
                  {o.kind}
                  {o.serverId !== undefined ? ` #${o.serverId}` : ''}
                </span>
                {o.hidden && <span className="muted small">hidden</span>}
                {o.locked && <span className="muted small">locked</span>}
              </div>
            );
          })}
        </div>
      </div>
      {children}
    </aside>
  );
}
