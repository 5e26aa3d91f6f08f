'use client';

import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

/** Removes an import after a confirmation; while a large one is being removed the page refreshes itself. */
export function ImportRemove({ id, fileName, removing }: { id: number; fileName: string; removing: boolean }) {
  const { run, pending, error } = useAdminAction();
  const router = useRouter();
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (!removing) return;
    const t = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(t);
  }, [removing, router]);
  if (removing) return <span className={`${styles.pill} ${styles.pillWarn}`}>removing…</span>;
  return (
    <div>
      {asking ? (
        <div className={styles.actions}>
          <span className={styles.small}>Remove every battle of {fileName}?</span>
          <button type="button" className={`button button-primary ${styles.smallButton}`} disabled={pending} onClick={async () => (await run('/api/admin/imports/remove', 'POST', { id })) && setAsking(false)} data-testid="import-remove-confirm">
            Remove
          </button>
          <button type="button" className={`button button-ghost ${styles.smallButton}`} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className={`button button-secondary ${styles.smallButton} ${styles.danger}`} onClick={() => setAsking(true)} data-testid="import-remove">
          Remove
        </button>
      )}
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
    </div>
  );
}
