import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { pageContext } from '@/app/_server/page-context';
import { SignUpForm } from '@/app/_components/account/sign-up-form';
import { InviteCookie } from '@/app/_components/account/invite-cookie';
import styles from '@/app/_components/account/forms.module.css';
import { externalProviders } from '@/lib/identity/auth-options';
import { safeReturnPath } from '@/lib/identity/return-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create an account · Pairwise' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function SignUpPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = safeReturnPath(one(sp.callbackUrl));
  const invite = one(sp.invite)?.slice(0, 200) ?? null;
  const { app, actor } = await pageContext();
  if (actor.user) redirect(callbackUrl);
  const policy = app.operator().access.signUp;
  const providers = externalProviders(app.env);
  return (
    <main className={styles.page}>
      <section className={styles.card}>
        <h1 className={styles.title}>Create an account</h1>
        {policy === 'closed' ? (
          <p data-testid="signup-closed">Sign-up is closed on this arena. Ask an admin for an account.</p>
        ) : policy === 'invite' && !invite ? (
          <p data-testid="signup-invite-needed">This arena takes new accounts by invite only. Open the invite link you were sent.</p>
        ) : (
          <>
            {invite && <InviteCookie token={invite} />}
            <SignUpForm callbackUrl={callbackUrl} invite={invite} />
            {providers.length > 0 && <p className={styles.foot}>Or sign in with {providers.map((p) => p.name).join(', ')} on the sign-in page; an account is created on the first sign-in.</p>}
          </>
        )}
        <p className={styles.foot}>
          Have an account? <Link href={`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`}>Sign in</Link>.
        </p>
      </section>
    </main>
  );
}
