import { useState } from 'react';

/**
 * A read-only value (a token, an invitation link) with a Copy button. The clipboard API needs a
 * secure context and may be refused; the text is then selected so Ctrl+C does it.
 */
export function CopyField({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      input?.select();
    }
  }
  return (
    <div className="copy-field">
      <input ref={setInput} readOnly value={value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
