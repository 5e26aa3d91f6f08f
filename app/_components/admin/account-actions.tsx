'use client';

import { useState } from 'react';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

/** Role change and disable / enable of one account. */
export function AccountActions({ userId, role, disabled, self }: { userId: string; role: 'voter' | 'admin'; disabled: boolean; self: boolean }) {
  const { run, pending, error } = useAdminAction();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const patch = (body: Record<string, unknown>) => run('/api/admin/accounts', 'PATCH', { userId, ...body });
  return (
    <div>
      <div className={styles.actions}>
        <select
          value={role}
          disabled={pending}
          aria-label="Role"
          onChange={(e) => void patch({ role: e.target.value })}
          data-testid="account-role"
          className={styles.smallButton}
        >
          <option value="voter">voter</option>
          <option value="admin">admin</option>
        </select>
        {disabled ? (
          <button type="button" className={`button button-secondary ${styles.smallButton}`} disabled={pending} onClick={() => patch({ disabled: false })} data-testid="account-enable">
            Enable
          </button>
        ) : asking ? (
          <form
            className={styles.inlineForm}
            onSubmit={async (e) => {
              e.preventDefault();
              if (await patch({ disabled: true, reason: reason.trim() || undefined })) setAsking(false);
            }}
          >
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why (optional)" aria-label="Reason" maxLength={500} autoFocus data-testid="account-disable-reason" />
            <button type="submit" className={`button button-primary ${styles.smallButton}`} disabled={pending} data-testid="account-disable-confirm">
              Disable
            </button>
            <button type="button" className={`button button-ghost ${styles.smallButton}`} onClick={() => setAsking(false)}>
              Cancel
            </button>
          </form>
        ) : (
          !self && (
            <button type="button" className={`button button-secondary ${styles.smallButton} ${styles.danger}`} onClick={() => setAsking(true)} data-testid="account-disable">
              Disable
            </button>
          )
        )}
      </div>
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
    </div>
  );
}
