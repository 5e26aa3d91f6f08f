'use client';

import { useState } from 'react';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

/** Creates an invite link and shows it this once: only a hash of its token is kept. */
export function InviteCreate() {
  const { run, pending, error } = useAdminAction();
  const [note, setNote] = useState('');
  const [maxUses, setMaxUses] = useState('');
  const [days, setDays] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  return (
    <div className={styles.form}>
      <form
        className={styles.filters}
        style={{ padding: 0 }}
        onSubmit={async (e) => {
          e.preventDefault();
          setLink(null);
          const out = await run<{ path: string }>('/api/admin/invites', 'POST', {
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(maxUses ? { maxUses: Number(maxUses) } : {}),
            ...(days ? { expiresInDays: Number(days) } : {}),
          });
          if (out) {
            setLink(new URL(out.path, window.location.origin).toString());
            setCopied(false);
          }
        }}
      >
        <label className={styles.field}>
          Note <span className={styles.hint}>who it is for</span>
          <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={200} data-testid="invite-note" />
        </label>
        <label className={styles.field}>
          Uses <span className={styles.hint}>empty: no limit</span>
          <input value={maxUses} onChange={(e) => setMaxUses(e.target.value.replace(/\D/g, ''))} inputMode="numeric" style={{ width: '6em' }} data-testid="invite-uses" />
        </label>
        <label className={styles.field}>
          Expires after (days)
          <input value={days} onChange={(e) => setDays(e.target.value.replace(/\D/g, ''))} inputMode="numeric" style={{ width: '6em' }} data-testid="invite-days" />
        </label>
        <button type="submit" className="button button-primary" disabled={pending} data-testid="invite-create">
          Create invite link
        </button>
      </form>
      {error && <p className={styles.error}>{error}</p>}
      {link && (
        <div className={styles.ok}>
          <div>Copy the link now: it is shown only this once.</div>
          <div className={styles.once}>
            <input readOnly value={link} onFocus={(e) => e.target.select()} data-testid="invite-link" aria-label="Invite link" />
            <button
              type="button"
              className={`button button-secondary ${styles.smallButton}`}
              onClick={() => void navigator.clipboard?.writeText(link).then(() => setCopied(true))}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export function InviteRevoke({ id }: { id: number }) {
  const { run, pending, error } = useAdminAction();
  return (
    <>
      <button type="button" className={`button button-ghost ${styles.smallButton} ${styles.danger}`} disabled={pending} onClick={() => run('/api/admin/invites/revoke', 'POST', { id })} data-testid="invite-revoke">
        Revoke
      </button>
      {error && <span className={styles.error}>{error}</span>}
    </>
  );
}
