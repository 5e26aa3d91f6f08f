import type { TestResult } from '@/lib/admin/test-connection';
import styles from './admin.module.css';

const ms = (n: number | null) => (n === null ? '–' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);

/** What "test connection" found: latency and the start of the answer, or the provider's error. */
export function TestResultView({ result }: { result: TestResult }) {
  if (!result.ok) {
    return (
      <div className={`${styles.error} ${styles.testResult}`} data-testid="test-result" data-ok="0">
        Failed after {ms(result.totalMs)}: {result.error}
      </div>
    );
  }
  return (
    <div className={`${styles.ok} ${styles.testResult}`} data-testid="test-result" data-ok="1">
      <div>
        First token after <strong data-testid="test-ttft">{ms(result.firstTokenMs)}</strong>, {ms(result.totalMs)} in all
        {result.outputTokens !== null ? `, ${result.outputTokens} tokens` : ''}.
      </div>
      <div data-testid="test-sample">“{result.sample}”</div>
    </div>
  );
}
