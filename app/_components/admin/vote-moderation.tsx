'use client';

import { useState } from 'react';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

/** Exclude a vote with a note, restore it, or clear an earlier decision. */
export function VoteModeration({ voteId, moderation, excluded }: { voteId: number; moderation: 'exclude' | 'restore' | null; excluded: boolean }) {
  const { run, pending, error } = useAdminAction();
  const [asking, setAsking] = useState(false);
  const [note, setNote] = useState('');
  const act = (action: 'exclude' | 'restore' | 'clear', n?: string) => run('/api/admin/votes/moderation', 'POST', { voteId, action, ...(n ? { note: n } : {}) });
  return (
    <div data-testid="vote-moderation">
      {asking ? (
        <form
          className={styles.inlineForm}
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act('exclude', note.trim())) setAsking(false);
          }}
        >
          <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="why (e.g. spam)" aria-label="Reason for excluding" required maxLength={500} autoFocus data-testid="vote-exclude-note" />
          <button type="submit" className={`button button-primary ${styles.smallButton}`} disabled={pending || !note.trim()} data-testid="vote-exclude-confirm">
            Exclude
          </button>
          <button type="button" className={`button button-ghost ${styles.smallButton}`} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className={styles.actions}>
          {moderation !== 'exclude' && (
            <button type="button" className={`button button-secondary ${styles.smallButton} ${styles.danger}`} disabled={pending} onClick={() => setAsking(true)} data-testid="vote-exclude">
              Exclude
            </button>
          )}
          {excluded && moderation !== 'restore' && (
            <button type="button" className={`button button-secondary ${styles.smallButton}`} disabled={pending} onClick={() => act('restore')} data-testid="vote-restore">
              Restore
            </button>
          )}
          {moderation && (
            <button type="button" className={`button button-ghost ${styles.smallButton}`} disabled={pending} onClick={() => act('clear')} data-testid="vote-clear">
              Clear decision
            </button>
          )}
        </div>
      )}
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
    </div>
  );
}
