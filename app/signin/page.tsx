import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { pageContext } from '@/app/_server/page-context';
import { SignInForm } from '@/app/_components/account/sign-in-form';
import styles from '@/app/_components/account/forms.module.css';
import { externalProviders } from '@/lib/identity/auth-options';
import { safeReturnPath } from '@/lib/identity/return-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Pairwise' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = safeReturnPath(one(sp.callbackUrl));
  const { app, actor } = await pageContext();
  if (actor.user) redirect(callbackUrl);
  const policy = app.operator().access.signUp;
  return (
    <main className={styles.page}>
      <section className={styles.card}>
        <h1 className={styles.title}>Sign in</h1>
        <p className="muted">Battles you fought in this browser stay yours after you sign in.</p>
        <SignInForm callbackUrl={callbackUrl} providers={externalProviders(app.env)} initialError={one(sp.error) ?? null} />
        {policy !== 'closed' && (
          <p className={styles.foot}>
            No account yet? <Link href={`/signup?callbackUrl=${encodeURIComponent(callbackUrl)}`}>Create one</Link>
            {policy === 'invite' ? ' with your invite link.' : '.'}
          </p>
        )}
      </section>
    </main>
  );
}
