import Link from 'next/link';
import styles from './admin.module.css';

/** The foot of a console list paginated by key: how many rows are shown, back to the start, onward. */
export function Pager({
  shown,
  first,
  next,
  firstLabel = 'First page',
  nextLabel = 'Next page →',
  nextTestId,
}: {
  shown: number;
  /** Where the first page is, when this is not it. */
  first: string | null;
  /** Where the next page is, when there is one. */
  next: string | null;
  firstLabel?: string;
  nextLabel?: string;
  nextTestId?: string;
}) {
  return (
    <div className={styles.pager}>
      <span className={styles.muted}>{shown} on this page</span>
      <span className={styles.actions}>
        {first && <Link href={first}>{firstLabel}</Link>}
        {next && (
          <Link href={next} data-testid={nextTestId}>
            {nextLabel}
          </Link>
        )}
      </span>
    </div>
  );
}
