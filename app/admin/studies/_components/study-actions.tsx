'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { postJson } from './post-json';
import styles from './studies.module.css';

/** Open or close a study. */
export function StatusButtons({ slug, status }: { slug: string; status: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const set = async (next: 'open' | 'closed') => {
    setError(null);
    try {
      await postJson(`/api/admin/studies/${slug}/status`, { status: next });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className={styles.actions}>
      {status !== 'open' ? (
        <button type="button" className="button button-primary" onClick={() => void set('open')} data-testid="study-open">
          {status === 'draft' ? 'Open to participants' : 'Open again'}
        </button>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => void set('closed')} data-testid="study-close">
          Close
        </button>
      )}
      {error ? <p className={styles.error}>{error}</p> : null}
    </div>
  );
}

/** Participant codes and links, shown once when made. */
export function InviteMaker({ slug }: { slug: string }) {
  const router = useRouter();
  const [count, setCount] = useState('3');
  const [note, setNote] = useState('');
  const [made, setMade] = useState<{ label: string; code: string; path: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const make = async () => {
    setError(null);
    try {
      const out = await postJson<{ invites: { label: string; code: string; path: string }[] }>(`/api/admin/studies/${slug}/invites`, {
        count: Number(count),
        ...(note.trim() ? { note } : {}),
      });
      setMade(out.invites);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <div className={styles.form}>
      <div className={styles.row}>
        <label className={styles.field}>
          How many
          <input inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} data-testid="invite-count" />
        </label>
        <label className={styles.field}>
          Note (only you see it)
          <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="lab A" />
        </label>
      </div>
      <div className={styles.actions}>
        <button type="button" className="button button-secondary" onClick={() => void make()} data-testid="invite-make">
          Make participant codes
        </button>
        {error ? <p className={styles.error}>{error}</p> : null}
      </div>
      {made.length ? (
        <>
          <p className={styles.small}>Copy these now: the codes are not shown again (only their hashes are kept).</p>
          <div className={styles.codes} data-testid="invite-list">
            {made.map((m) => `${m.label}  ${m.code}  ${origin}${m.path}`).join('\n')}
          </div>
        </>
      ) : null}
    </div>
  );
}

/** Exclude an annotator with a reason, or take them back in. */
export function ExcludeControl({ slug, label, excluded }: { slug: string; label: string; excluded: string | null }) {
  const router = useRouter();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (exclude: string | null) => {
    setError(null);
    try {
      await postJson(`/api/admin/studies/${slug}/annotators`, { annotator: label, exclude });
      setReason('');
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (excluded) {
    return (
      <button type="button" className="button button-ghost" onClick={() => void send(null)} data-testid={`include-${label}`}>
        Include again
      </button>
    );
  }
  return (
    <form
      className={styles.actions}
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) void send(reason.trim());
      }}
    >
      <input aria-label={`Why exclude ${label}`} placeholder="reason" value={reason} onChange={(e) => setReason(e.target.value)} data-testid={`exclude-reason-${label}`} />
      <button type="submit" className="button button-ghost" disabled={!reason.trim()} data-testid={`exclude-${label}`}>
        Exclude
      </button>
      {error ? <span className={styles.error}>{error}</span> : null}
    </form>
  );
}
