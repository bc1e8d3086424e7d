/** Tools, the label new objects get, and image adjustments. */
import type { Editor } from '../../editor/editor';
import type { ToolName } from '../../editor/tools';

/** Icons are inline SVG: font glyphs for these shapes are missing from many systems' fonts. */
function Icon({ d, fill = false }: { d: string; fill?: boolean }) {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" fill={fill ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round">
      <path d={d} />
    </svg>
  );
}

const TOOLS: { name: ToolName; label: string; icon: string; fill?: boolean; hint: string }[] = [
  { name: 'select', label: 'Select', icon: 'M5 3 L5 16 L8.5 12.5 L11 18 L13 17 L10.5 11.5 L15 11.5 Z', fill: true, hint: 'Select and edit (Esc)' },
  { name: 'rectangle', label: 'Rectangle', icon: 'M3 5 H17 V15 H3 Z', hint: 'Draw a rectangle: drag, or click two corners (N)' },
  { name: 'polygon', label: 'Polygon', icon: 'M10 2.5 L17.5 8 L14.5 17 H5.5 L2.5 8 Z', hint: 'Draw a polygon: click points, Enter or N to finish; drag for freehand' },
  { name: 'polyline', label: 'Polyline', icon: 'M2.5 15 L7 6 L12 13 L17.5 4', hint: 'Draw a polyline: click points, Enter or N to finish' },
  { name: 'points', label: 'Points', icon: 'M4 5 a1.6 1.6 0 1 0 0.01 0 M15 7 a1.6 1.6 0 1 0 0.01 0 M8 14 a1.6 1.6 0 1 0 0.01 0', fill: true, hint: 'Place points: click, Enter or N to finish' },
  { name: 'ellipse', label: 'Ellipse', icon: 'M2.5 10 a7.5 5.5 0 1 0 15 0 a7.5 5.5 0 1 0 -15 0', hint: 'Draw an ellipse: drag' },
];

export function Toolbar({
  editor,
  filters,
  onFilters,
}: {
  editor: Editor;
  filters: { brightness: number; contrast: number };
  onFilters: (f: { brightness: number; contrast: number }) => void;
}) {
  const tool = editor.toolName;
  return (
    <aside className="ws-tools" aria-label="Tools">
      {TOOLS.map((t) => (
        <button
          key={t.name}
          type="button"
          className={tool === t.name ? 'tool active' : 'tool'}
          aria-pressed={tool === t.name}
          aria-label={t.label}
          title={t.hint}
          onClick={() => editor.setTool(t.name)}
        >
          <Icon d={t.icon} fill={t.fill} />
        </button>
      ))}
      <button type="button" className="tool" aria-label="Add tag" title="Tag the frame with the current label" onClick={() => editor.addTag()}>
        #
      </button>
      <div className="ws-zoom">
        <button type="button" className="tool" aria-label="Zoom in" title="Zoom in (Ctrl+=)" onClick={() => editor.zoomIn()}>
          +
        </button>
        <button type="button" className="tool" aria-label="Zoom out" title="Zoom out (Ctrl+-)" onClick={() => editor.zoomOut()}>
          −
        </button>
        <button type="button" className="tool" aria-label="Fit" title="Fit the frame (Ctrl+0)" onClick={() => editor.fit()}>
          ⤢
        </button>
      </div>
      <details className="ws-adjust">
        <summary title="Brightness and contrast">☀</summary>
        <label>
          Brightness
          <input type="range" min={20} max={300} value={filters.brightness} onChange={(e) => onFilters({ ...filters, brightness: Number(e.target.value) })} />
        </label>
        <label>
          Contrast
          <input type="range" min={20} max={300} value={filters.contrast} onChange={(e) => onFilters({ ...filters, contrast: Number(e.target.value) })} />
        </label>
        <button type="button" className="link-button" onClick={() => onFilters({ brightness: 100, contrast: 100 })}>
          Reset
        </button>
      </details>
    </aside>
  );
}

/** The label new objects get: only labels whose type fits the current drawing tool. */
export function LabelPicker({ editor }: { editor: Editor }) {
  const tool = editor.toolName;
  const drawable = tool === 'select' ? editor.labels : editor.labelsFor(tool === 'tag' ? 'tag' : tool);
  return (
    <label className="ws-label-pick">
      <span className="small muted">Draw as</span>
      <select aria-label="Drawing label" value={editor.activeLabelId ?? ''} onChange={(e) => editor.setActiveLabel(Number(e.target.value))}>
        {drawable.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
