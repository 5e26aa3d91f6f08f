'use client';

import { useState } from 'react';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

/** Ban a voter (with a reason: its votes are excluded as "banned") or lift the ban. */
export function VoterBan({ voterId, banned }: { voterId: string; banned: boolean }) {
  const { run, pending, error } = useAdminAction();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (banned) {
    return (
      <div>
        <button type="button" className={`button button-secondary ${styles.smallButton}`} disabled={pending} onClick={() => run('/api/admin/voters/ban', 'POST', { voterId, banned: false })} data-testid="voter-unban">
          Unban
        </button>
        {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
      </div>
    );
  }
  return (
    <div>
      {asking ? (
        <form
          className={styles.inlineForm}
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run('/api/admin/voters/ban', 'POST', { voterId, banned: true, reason: reason.trim() })) setAsking(false);
          }}
        >
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why" aria-label="Reason for the ban" required maxLength={500} autoFocus data-testid="voter-ban-reason" />
          <button type="submit" className={`button button-primary ${styles.smallButton}`} disabled={pending || !reason.trim()} data-testid="voter-ban-confirm">
            Ban
          </button>
          <button type="button" className={`button button-ghost ${styles.smallButton}`} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className={`button button-secondary ${styles.smallButton} ${styles.danger}`} onClick={() => setAsking(true)} data-testid="voter-ban">
          Ban
        </button>
      )}
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
    </div>
  );
}
