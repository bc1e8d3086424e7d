import { useRef, useState } from 'react';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Files by drag and drop or by the file picker: images, videos, archives. */
export function FileDrop({ files, onChange }: { files: File[]; onChange: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const total = files.reduce((s, f) => s + f.size, 0);
  const add = (list: FileList | null) => {
    if (!list) return;
    const known = new Set(files.map((f) => `${f.name}:${f.size}`));
    onChange([...files, ...[...list].filter((f) => !known.has(`${f.name}:${f.size}`))]);
  };
  return (
    <div>
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer.files);
        }}
        onClick={() => input.current?.click()}
        role="button"
        tabIndex={0}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') input.current?.click();
        }}
      >
        Drop images, a video or an archive here, or click to choose files
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Files"
          accept="image/*,video/*,.zip,.tar,.tar.gz,.tgz,.pdf"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {files.length > 0 && (
        <div className="file-list">
          <div className="muted small">
            {files.length} file{files.length === 1 ? '' : 's'}, {formatBytes(total)}{' '}
            <button type="button" className="link-button" onClick={() => onChange([])}>
              Clear
            </button>
          </div>
          <ul>
            {files.slice(0, 8).map((f) => (
              <li key={`${f.name}:${f.size}`}>
                {f.name} <span className="muted small">{formatBytes(f.size)}</span>
              </li>
            ))}
            {files.length > 8 && <li className="muted">… and {files.length - 8} more</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
