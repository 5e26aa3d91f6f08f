'use client';

import { signIn } from 'next-auth/react';
import { useState } from 'react';
import styles from './forms.module.css';
import { withBasePath } from '@/lib/base-path';

/** Messages for next-auth's error codes; anything else is a message of ours (e.g. a lock-out). */
const ERRORS: Record<string, string> = {
  CredentialsSignin: 'Wrong email or password.',
  AccessDenied: 'This account is disabled.',
  SignUpClosed: 'Sign-up is closed on this arena: there is no account for this sign-in. Ask an admin.',
  InviteRequired: 'This arena needs an invite to create an account. Open your invite link first.',
  OAuthSignin: 'The sign-in provider could not be reached.',
  OAuthCallback: 'The sign-in provider did not complete the sign-in.',
  Callback: 'The sign-in could not be completed.',
  Configuration: 'Sign-in is not configured correctly on this server.',
};

export function errorText(code: string | null | undefined): string | null {
  if (!code) return null;
  return ERRORS[code] ?? (code.length < 200 ? code : 'The sign-in failed.');
}

export function SignInForm({
  callbackUrl,
  providers,
  initialError,
}: {
  callbackUrl: string;
  providers: { id: string; name: string }[];
  initialError: string | null;
}) {
  const [error, setError] = useState<string | null>(errorText(initialError));
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const res = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
      callbackUrl,
    });
    setBusy(false);
    if (!res || res.error) {
      setError(errorText(res?.error ?? 'Callback'));
      return;
    }
    window.location.assign(withBasePath(callbackUrl));
  }

  return (
    <>
      <form className={styles.form} onSubmit={submit} data-testid="signin-form">
        <label className={styles.field}>
          Email
          <input name="email" type="email" autoComplete="email" required data-testid="signin-email" />
        </label>
        <label className={styles.field}>
          Password
          <input name="password" type="password" autoComplete="current-password" required data-testid="signin-password" />
        </label>
        {error && (
          <p className={styles.error} role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {providers.length > 0 && (
        <>
          <p className={styles.divider}>or</p>
          <div className={styles.providers}>
            {providers.map((p) => (
              <button
                key={p.id}
                type="button"
                className="button button-secondary"
                data-testid={`signin-${p.id}`}
                onClick={() => void signIn(p.id, { callbackUrl: withBasePath(callbackUrl) })}
              >
                Continue with {p.name}
              </button>
            ))}
          </div>
        </>
      )}
    </>
  );
}
