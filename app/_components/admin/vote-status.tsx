import styles from './admin.module.css';

/** Counted, or the reason it is not (and who decided, when an operator did). */
export function VoteStatus({ reason, moderation, by }: { reason: string | null; moderation: 'exclude' | 'restore' | null; by: string | null }) {
  return (
    <div data-testid="vote-status" data-excluded={reason ? '1' : '0'}>
      {reason ? <span className={`${styles.pill} ${styles.pillBad}`}>excluded</span> : <span className={`${styles.pill} ${styles.pillOk}`}>counted</span>}
      {reason && <div className={styles.reason}>{reason}</div>}
      {moderation === 'restore' && <div className={styles.reason}>restored by an operator</div>}
      {moderation && by && <div className={`${styles.small} ${styles.muted}`}>by {by}</div>}
    </div>
  );
}
