/**
 * Frame navigation: first/previous/next/last (D and F), a number to jump to, a slider over the
 * job, and a filmstrip of the neighbouring frames' previews. Frames with quality conflicts (or
 * failed in a check) are marked on the slider and the filmstrip. Memoised: it depends on the
 * frame, not on every engine change.
 */
import { memo, useEffect, useState, type CSSProperties } from 'react';
import type { FrameMeta } from '../../api/types';

const STRIP = 4;
const NO_MARKS: ReadonlyMap<number, 'error' | 'warning'> = new Map();

export const FrameBar = memo(function FrameBar({
  jobId,
  first,
  last,
  frame,
  names,
  onFrame,
  marks = NO_MARKS,
}: {
  jobId: number;
  first: number;
  last: number;
  frame: number;
  names: FrameMeta[];
  onFrame: (n: number) => void;
  /** Frames to mark: conflicts of the job's latest quality report, frames that failed a check. */
  marks?: ReadonlyMap<number, 'error' | 'warning'>;
}) {
  const [typed, setTyped] = useState(String(frame));
  useEffect(() => setTyped(String(frame)), [frame]);
  const strip: number[] = [];
  for (let n = Math.max(first, frame - STRIP); n <= Math.min(last, frame + STRIP); n++) strip.push(n);
  return (
    <footer className="ws-frames" aria-label="Frames">
      <div className="ws-frame-nav">
        <button type="button" aria-label="First frame" onClick={() => onFrame(first)} disabled={frame === first}>
          «
        </button>
        <button type="button" aria-label="Previous frame" title="Previous frame (D)" onClick={() => onFrame(frame - 1)} disabled={frame === first}>
          ◀
        </button>
        <input
          aria-label="Frame number"
          className="ws-frame-input"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              const n = Number(typed);
              if (Number.isFinite(n)) onFrame(n);
              e.currentTarget.blur();
            }
          }}
        />
        <span className="muted small">
          of {first}–{last}
        </span>
        <button type="button" aria-label="Next frame" title="Next frame (F)" onClick={() => onFrame(frame + 1)} disabled={frame === last}>
          ▶
        </button>
        <button type="button" aria-label="Last frame" onClick={() => onFrame(last)} disabled={frame === last}>
          »
        </button>
        <div className="ws-slider-wrap">
          <input
            type="range"
            aria-label="Frame slider"
            className="ws-slider"
            min={first}
            max={last}
            value={frame}
            onChange={(e) => onFrame(Number(e.target.value))}
          />
          {last > first &&
            [...marks].map(([n, kind]) => (
              <span key={n} className={`ws-slider-mark mark-${kind}`} style={{ '--at': (n - first) / (last - first) } as CSSProperties} title={`Frame ${n}: ${kind === 'error' ? 'conflicts' : 'warnings'}`} />
            ))}
        </div>
        <span className="ws-frame-name muted small" title={names[frame - first]?.name}>
          {names[frame - first]?.name}
        </span>
      </div>
      <div className="ws-strip">
        {strip.map((n) => (
          <button
            key={n}
            type="button"
            className={`ws-thumb${n === frame ? ' current' : ''}${marks.has(n) ? ` marked mark-${marks.get(n)}` : ''}`}
            onClick={() => onFrame(n)}
            aria-label={`Go to frame ${n}${marks.has(n) ? ` (${marks.get(n) === 'error' ? 'conflicts' : 'warnings'})` : ''}`}
          >
            <img src={`/api/jobs/${jobId}/data?type=frame&quality=compressed&number=${n}`} alt="" loading="lazy" />
            <span>{n}</span>
          </button>
        ))}
      </div>
    </footer>
  );
});
