import { useState } from 'react';

/** A project's, task's or job's preview image; a neutral tile while it loads or when there is none. */
export function Preview({ src, alt }: { src: string; alt: string }) {
  const [failed, setFailed] = useState(false);
  return (
    <div className="preview">
      {!failed && <img src={src} alt={alt} loading="lazy" onError={() => setFailed(true)} />}
    </div>
  );
}
