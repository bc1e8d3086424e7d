/**
 * The label schema as a form (names, colors, label type, attributes of every input type) and as
 * raw JSON in CVAT's shape, one state behind both, so people can paste a schema from another
 * project or tool and then adjust it by hand.
 */
import { useState } from 'react';
import { ATTRIBUTE_INPUTS, LABEL_TYPES, type Attribute, type AttributeInput, type Label } from '../../api/types';
import { parseLabels, randomColor } from './labels';

function AttributeRow({ attribute, onChange, onRemove }: { attribute: Attribute; onChange: (a: Attribute) => void; onRemove: () => void }) {
  const hasValues = attribute.input_type !== 'text';
  return (
    <div className="attribute-row">
      <input aria-label="Attribute name" placeholder="attribute" value={attribute.name} onChange={(e) => onChange({ ...attribute, name: e.target.value })} />
      <select
        aria-label="Attribute type"
        value={attribute.input_type}
        onChange={(e) => {
          const input_type = e.target.value as AttributeInput;
          const values = input_type === 'checkbox' ? ['false'] : input_type === 'number' ? ['0', '100', '1'] : attribute.values;
          onChange({ ...attribute, input_type, values, default_value: values[0] ?? '' });
        }}
      >
        {ATTRIBUTE_INPUTS.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      {hasValues && (
        <input
          aria-label="Attribute values"
          title={attribute.input_type === 'number' ? 'min;max;step' : 'values separated by ;'}
          placeholder={attribute.input_type === 'number' ? 'min;max;step' : 'value 1;value 2'}
          value={attribute.values.join(';')}
          onChange={(e) => onChange({ ...attribute, values: e.target.value.split(';').map((v) => v.trim()) })}
        />
      )}
      <label className="inline">
        <input type="checkbox" checked={attribute.mutable} onChange={(e) => onChange({ ...attribute, mutable: e.target.checked })} />
        mutable
      </label>
      <button type="button" className="icon-button" aria-label={`Remove attribute ${attribute.name}`} onClick={onRemove}>
        ×
      </button>
    </div>
  );
}

function LabelCard({ label, onChange, onRemove }: { label: Label; onChange: (l: Label) => void; onRemove: () => void }) {
  const setAttribute = (i: number, a: Attribute) => onChange({ ...label, attributes: label.attributes.map((x, j) => (j === i ? a : x)) });
  return (
    <div className="label-card" style={{ borderLeftColor: label.color }}>
      <div className="label-head">
        <input aria-label="Label name" placeholder="label name" value={label.name} onChange={(e) => onChange({ ...label, name: e.target.value })} />
        <input aria-label="Label color" type="color" value={label.color} onChange={(e) => onChange({ ...label, color: e.target.value })} />
        <select aria-label="Label type" value={label.type} onChange={(e) => onChange({ ...label, type: e.target.value as Label['type'] })}>
          {LABEL_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="button" className="icon-button" aria-label={`Remove label ${label.name}`} onClick={onRemove}>
          ×
        </button>
      </div>
      {label.attributes.map((a, i) => (
        <AttributeRow
          key={i}
          attribute={a}
          onChange={(next) => setAttribute(i, next)}
          onRemove={() => onChange({ ...label, attributes: label.attributes.filter((_, j) => j !== i) })}
        />
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => onChange({ ...label, attributes: [...label.attributes, { name: '', input_type: 'select', mutable: false, values: [''], default_value: '' }] })}
      >
        + Attribute
      </button>
    </div>
  );
}

export function LabelEditor({ labels, onChange }: { labels: Label[]; onChange: (labels: Label[]) => void }) {
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [text, setText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);

  const showJson = () => {
    setText(JSON.stringify(labels, null, 2));
    setJsonError(null);
    setMode('json');
  };
  const applyJson = (value: string) => {
    setText(value);
    const parsed = parseLabels(value);
    if ('error' in parsed) setJsonError(parsed.error);
    else {
      setJsonError(null);
      onChange(parsed.labels);
    }
  };

  return (
    <div className="label-editor">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'form'} onClick={() => setMode('form')}>
          Form
        </button>
        <button type="button" role="tab" aria-selected={mode === 'json'} onClick={showJson}>
          Raw JSON
        </button>
      </div>
      {mode === 'form' ? (
        <>
          {labels.map((l, i) => (
            <LabelCard
              key={l.id ?? `new-${i}`}
              label={l}
              onChange={(next) => onChange(labels.map((x, j) => (j === i ? next : x)))}
              onRemove={() => onChange(labels.filter((_, j) => j !== i))}
            />
          ))}
          <button type="button" onClick={() => onChange([...labels, { name: '', color: randomColor(labels.length), type: 'any', attributes: [] }])}>
            + Add label
          </button>
        </>
      ) : (
        <>
          <textarea aria-label="Labels as JSON" className="code" rows={16} value={text} spellCheck={false} onChange={(e) => applyJson(e.target.value)} />
          {jsonError && (
            <div className="error" role="alert">
              {jsonError}
            </div>
          )}
        </>
      )}
    </div>
  );
}
