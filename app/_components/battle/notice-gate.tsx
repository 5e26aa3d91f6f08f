'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { z } from '../zod';
import { withBasePath } from '@/lib/base-path';

/**
 * Before a voter's first battle: the arena's rules (do not reveal a model's identity; what is
 * stored), an "I agree" when the operator requires consent (recorded by the server, which
 * refuses battles until then), and a sign-in link when voting needs an account.
 */

export const participationSchema = z.object({
  notice: z.string(),
  requireConsent: z.boolean(),
  consented: z.boolean(),
  signInRequired: z.boolean(),
  signedIn: z.boolean(),
  /** Battles need a solved proof-of-work challenge (anonymous voters, when the operator asks). */
  proofOfWork: z.boolean().default(false),
});
export type Participation = z.infer<typeof participationSchema>;

const SEEN_KEY = 'pw_notice_seen';

/** A short fingerprint of the notice text: a changed text is shown again. */
function fingerprint(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

export function NoticeGate({ participation, children }: { participation: Participation | null; children: React.ReactNode }) {
  const [passed, setPassed] = useState<boolean | null>(null);
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!participation) return setPassed(true);
    if (participation.requireConsent) return setPassed(participation.consented);
    let seen: string | null = null;
    try {
      seen = window.localStorage.getItem(SEEN_KEY);
    } catch {
      /* storage blocked: show the notice each visit */
    }
    setPassed(seen === fingerprint(participation.notice));
  }, [participation]);

  if (!participation || passed) return <>{children}</>;
  if (passed === null) return <>{children}</>;

  if (participation.signInRequired && !participation.signedIn) {
    return (
      <section className="notice-gate" data-testid="signin-required">
        <h1>Sign in to take part</h1>
        <p>This arena counts votes from signed-in accounts only.</p>
        <Link className="button button-primary" href="/signin?callbackUrl=%2F">
          Sign in
        </Link>
      </section>
    );
  }

  const proceed = async () => {
    setError(null);
    if (participation.requireConsent) {
      const res = await fetch(withBasePath('/api/consent'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agree: true }),
      }).catch(() => null);
      if (!res?.ok) {
        setError('Your agreement could not be recorded. Please try again.');
        return;
      }
    } else {
      try {
        window.localStorage.setItem(SEEN_KEY, fingerprint(participation.notice));
      } catch {
        /* storage blocked */
      }
    }
    setPassed(true);
  };

  if (!participation.requireConsent) {
    // Without a consent gate the rules are a banner above the first battle, not a wall.
    return (
      <>
        <section className="notice-banner" data-testid="rules-notice" aria-label="The arena's rules">
          <div>
            {participation.notice.split(/\n{2,}/).map((para, i) => (
              <p key={i}>{para}</p>
            ))}
          </div>
          <button type="button" className="button button-secondary" onClick={() => void proceed()} data-testid="rules-continue">
            Got it
          </button>
        </section>
        {children}
      </>
    );
  }

  return (
    <section className="notice-gate" data-testid="rules-notice" aria-labelledby="rules-title">
      <h1 id="rules-title">Before your first battle</h1>
      {participation.notice.split(/\n{2,}/).map((para, i) => (
        <p key={i}>{para}</p>
      ))}
      {participation.requireConsent && (
        <label className="notice-agree">
          <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} data-testid="rules-agree" />I
          agree to these rules and to my answers being stored as described.
        </label>
      )}
      {error && <p role="alert">{error}</p>}
      <button
        type="button"
        className="button button-primary"
        disabled={participation.requireConsent && !agreed}
        onClick={() => void proceed()}
        data-testid="rules-continue"
      >
        {participation.requireConsent ? 'Agree and start' : 'Got it'}
      </button>
    </section>
  );
}
