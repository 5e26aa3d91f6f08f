'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { TestResult } from '@/lib/admin/test-connection';
import { adminFetch, useAdminAction } from './use-admin-action';
import { TestResultView } from './test-result';
import styles from './admin.module.css';

/** The quick switches of one model row: enable, deprecate, weight, and test connection. */
export function ModelActions({
  id,
  enabled,
  deprecated,
  weight,
  editable,
  editHref,
}: {
  id: string;
  enabled: boolean;
  deprecated: boolean;
  weight: number;
  editable: boolean;
  editHref: string;
}) {
  const { run, pending, error } = useAdminAction();
  const [w, setW] = useState(String(weight));
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);

  const patch = (body: Record<string, unknown>) => run('/api/admin/models', 'PATCH', { id, ...body });
  const onTest = async () => {
    setTesting(true);
    setTest(null);
    setTestError(null);
    try {
      setTest(await adminFetch<TestResult>('/api/admin/models/test', 'POST', { id }));
    } catch (err) {
      setTestError(err instanceof Error ? err.message : String(err));
    } finally {
      setTesting(false);
    }
  };

  return (
    <div>
      <div className={styles.actions}>
        {editable && (
          <>
            <button type="button" className={`button button-secondary ${styles.smallButton}`} disabled={pending} onClick={() => patch({ enabled: !enabled })} data-testid="model-toggle-enabled">
              {enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className={`button button-ghost ${styles.smallButton}`} disabled={pending} onClick={() => patch({ deprecated: !deprecated })} data-testid="model-toggle-deprecated">
              {deprecated ? 'Undeprecate' : 'Deprecate'}
            </button>
            <form
              className={styles.inlineForm}
              onSubmit={(e) => {
                e.preventDefault();
                const n = Number(w);
                if (Number.isFinite(n)) void patch({ weight: n });
              }}
            >
              <input className={styles.weight} value={w} onChange={(e) => setW(e.target.value)} inputMode="decimal" aria-label="Sampling weight" data-testid="model-weight" />
              <button type="submit" className={`button button-ghost ${styles.smallButton}`} disabled={pending || w === String(weight)} data-testid="model-weight-save">
                Set weight
              </button>
            </form>
          </>
        )}
        <button type="button" className={`button button-ghost ${styles.smallButton}`} disabled={testing} onClick={onTest} data-testid="model-row-test">
          {testing ? 'Testing…' : 'Test'}
        </button>
        {editable && (
          <Link href={editHref} className={`button button-ghost ${styles.smallButton} ${styles.linkButton}`} data-testid="model-edit">
            Edit
          </Link>
        )}
      </div>
      {error && <div className={`${styles.error} ${styles.testResult}`}>{error}</div>}
      {testError && <div className={`${styles.error} ${styles.testResult}`}>{testError}</div>}
      {test && <TestResultView result={test} />}
    </div>
  );
}
