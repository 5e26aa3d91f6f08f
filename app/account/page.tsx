import type { Metadata } from 'next';
import { requireUserPage } from '@/app/_server/page-context';
import { MyBattles } from '@/app/_components/account/my-battles';
import styles from '@/app/_components/account/forms.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Your account · Pairwise' };

export default async function AccountPage() {
  const { app, actor } = await requireUserPage('/account');
  const { retention } = app.operator();
  return (
    <main className={`${styles.page} ${styles.wide}`}>
      <section className={styles.card}>
        <h1 className={styles.title}>Your account</h1>
        <p data-testid="account-email">
          {actor.user.name ? `${actor.user.name} · ` : ''}
          {actor.user.email ?? 'no email'}
          {actor.user.role === 'admin' ? ' · admin' : ''}
        </p>
        <p className="muted">
          What is stored: your prompts, both answers and your vote, with the time. No address is stored.{' '}
          {retention.conversationDays
            ? `Conversations are deleted after ${retention.conversationDays} days; the votes stay for the ratings.`
            : 'Conversations are kept until you delete them.'}
        </p>
      </section>
      <MyBattles canDelete />
    </main>
  );
}
