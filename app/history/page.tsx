import type { Metadata } from 'next';
import Link from 'next/link';
import { MyBattles } from '@/app/_components/account/my-battles';
import styles from '@/app/_components/account/forms.module.css';
import { pageContext } from '@/app/_server/page-context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Your battles · Pairwise' };

/**
 * The battles of whoever is looking: the account's when signed in, this browser's otherwise (its
 * voter cookie). The list itself comes from /api/account/battles, which names models only for
 * battles that were voted on or whose models were chosen by name.
 */
export default async function HistoryPage() {
  const { actor } = await pageContext();
  return (
    <main className={`${styles.page} ${styles.wide}`}>
      <section className={styles.card}>
        <h1 className={styles.title}>Your battles</h1>
        <p className="muted">
          {actor.user
            ? 'Every battle of your account, on any browser. Open one to read it again, vote on it or share it.'
            : 'The battles fought on this browser. Open one to read it again, vote on it or share it. '}
          {actor.user ? null : (
            <>
              <Link href="/signin?callbackUrl=%2Fhistory">Sign in</Link> to keep them with an account.
            </>
          )}
        </p>
      </section>
      <MyBattles canDelete={false} title="Newest first" />
    </main>
  );
}
