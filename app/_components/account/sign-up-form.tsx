'use client';

import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { errorText } from './sign-in-form';
import styles from './forms.module.css';
import { withBasePath } from '@/lib/base-path';

interface ApiError {
  error?: { message?: string };
}

export function SignUpForm({ callbackUrl, invite }: { callbackUrl: string; invite: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('confirm') ?? '')) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(withBasePath('/api/account/sign-up'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, name: String(form.get('name') ?? '') || undefined, ...(invite ? { invite } : {}) }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as ApiError;
        setError(body.error?.message ?? `The server answered ${res.status}.`);
        return;
      }
      const signedIn = await signIn('credentials', { email, password, redirect: false, callbackUrl });
      if (!signedIn || signedIn.error) {
        setError(errorText(signedIn?.error ?? 'Callback'));
        return;
      }
      window.location.assign(withBasePath(callbackUrl));
    } catch {
      setError('The server could not be reached.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={styles.form} onSubmit={submit} data-testid="signup-form">
      <label className={styles.field}>
        Email
        <input name="email" type="email" autoComplete="email" required data-testid="signup-email" />
      </label>
      <label className={styles.field}>
        Name <span className={styles.hint}>(optional, shown only to you and the admins)</span>
        <input name="name" autoComplete="name" maxLength={100} data-testid="signup-name" />
      </label>
      <label className={styles.field}>
        Password <span className={styles.hint}>at least 10 characters</span>
        <input name="password" type="password" autoComplete="new-password" minLength={10} required data-testid="signup-password" />
      </label>
      <label className={styles.field}>
        Password again
        <input name="confirm" type="password" autoComplete="new-password" required data-testid="signup-confirm" />
      </label>
      {error && (
        <p className={styles.error} role="alert" data-testid="signup-error">
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={busy} data-testid="signup-submit">
        {busy ? 'Creating the account…' : 'Create account'}
      </button>
    </form>
  );
}
