'use client';

import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

type Override = 'trusted' | 'untrusted' | null;

/**
 * The operator's word on a voter's trust score: trusted (flags never exclude its votes),
 * untrusted (excluded as "low_trust: operator"), or automatic (the trust pass decides).
 */
export function VoterTrust({ voterId, override }: { voterId: string; override: Override }) {
  const { run, pending, error } = useAdminAction();
  return (
    <div>
      <select
        className={styles.smallSelect}
        value={override ?? 'auto'}
        disabled={pending}
        aria-label="Trust of this voter"
        data-testid="voter-trust"
        onChange={(e) => {
          const value = e.target.value === 'auto' ? null : (e.target.value as Override);
          void run('/api/admin/voters/trust', 'POST', { voterId, override: value });
        }}
      >
        <option value="auto">automatic</option>
        <option value="trusted">trusted</option>
        <option value="untrusted">untrusted</option>
      </select>
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
    </div>
  );
}
