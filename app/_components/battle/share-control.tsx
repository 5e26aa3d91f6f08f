'use client';

import { useState } from 'react';
import { withBasePath } from '@/lib/base-path';

/** "Share" after the vote: a read-only link with no voter identity in it, which the owner can revoke. */
export function ShareControl({ token, onShare }: { token: string | null; onShare: (on: boolean) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const run = async (on: boolean) => {
    setBusy(true);
    setCopied(false);
    try {
      await onShare(on);
    } finally {
      setBusy(false);
    }
  };
  if (!token) {
    return (
      <button type="button" className="button button-secondary" data-testid="share-button" disabled={busy} onClick={() => void run(true)}>
        Share…
      </button>
    );
  }
  const url = typeof window === 'undefined' ? withBasePath(`/share/${token}`) : new URL(withBasePath(`/share/${token}`), window.location.origin).toString();
  return (
    <div className="share-control" data-testid="share-control">
      <label className="share-field">
        <span>Anyone with this link can read this battle (not who you are):</span>
        <input type="text" readOnly value={url} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div className="share-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
          }}
          data-testid="share-copy"
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
        <button type="button" className="button button-ghost" data-testid="share-revoke" disabled={busy} onClick={() => void run(false)}>
          Stop sharing
        </button>
      </div>
    </div>
  );
}
