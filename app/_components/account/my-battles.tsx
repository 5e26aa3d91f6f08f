'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { z } from '../zod';
import styles from './forms.module.css';
import { withBasePath } from '@/lib/base-path';

const battleSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  status: z.string(),
  mode: z.string(),
  turns: z.number(),
  prompt: z.string().nullable(),
  winner: z.string().nullable(),
  models: z.object({ a: z.object({ id: z.string(), name: z.string() }), b: z.object({ id: z.string(), name: z.string() }) }).nullable(),
});
const pageSchema = z.object({ battles: z.array(battleSchema), next: z.number().nullable() });
type Battle = z.infer<typeof battleSchema>;

const WINNER_TEXT: Record<string, string> = { model_a: 'A was better', model_b: 'B was better', tie: 'Tie', 'tie (bothbad)': 'Both bad' };

const MODE_TEXT: Record<string, string> = { named: 'Side by side', direct: 'Direct chat', recorded: 'Recorded answers' };

/** Your battles, newest first, page by page (each opens in the arena); and "delete my data" for an account. */
export function MyBattles({ canDelete, title = 'Your battles' }: { canDelete: boolean; title?: string }) {
  const [battles, setBattles] = useState<Battle[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async (before?: number) => {
    const res = await fetch(withBasePath(`/api/account/battles?limit=25${before ? `&before=${before}` : ''}`), { cache: 'no-store' });
    const parsed = pageSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) return;
    setBattles((old) => (before ? [...old, ...parsed.data.battles] : parsed.data.battles));
    setNext(parsed.data.next);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const deleteAll = async () => {
    const res = await fetch(withBasePath('/api/account/battles'), {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: 'delete my data' }),
    });
    const body = (await res.json().catch(() => ({}))) as { deleted?: number; error?: { message: string } };
    setConfirming(false);
    setMessage(res.ok ? `Deleted ${body.deleted ?? 0} battle${body.deleted === 1 ? '' : 's'} with their conversations and votes.` : (body.error?.message ?? 'Could not delete.'));
    if (res.ok) await load();
  };

  return (
    <section className={styles.card} style={{ marginTop: '1rem' }} aria-labelledby="my-battles-title">
      <h2 id="my-battles-title">{title}</h2>
      {next === undefined ? (
        <p className="muted">Loading…</p>
      ) : battles.length === 0 ? (
        <p className="muted" data-testid="my-battles-empty">
          No battles yet.
        </p>
      ) : (
        <ul className="my-battles" data-testid="my-battles">
          {battles.map((b) => (
            <li key={b.id} data-testid="my-battle" data-battle-id={b.id}>
              <time dateTime={new Date(b.createdAt).toISOString()}>{new Date(b.createdAt).toLocaleString()}</time>
              {b.mode === 'imported' ? (
                <span className="my-battle-prompt">{b.prompt ?? '(no prompt)'}</span>
              ) : (
                <Link className="my-battle-prompt" href={`/?battle=${encodeURIComponent(b.id)}`} prefetch={false} data-testid="my-battle-open">
                  {b.prompt ?? '(no prompt)'}
                </Link>
              )}
              <span className="muted">
                {MODE_TEXT[b.mode] ? `${MODE_TEXT[b.mode]} · ` : ''}
                {b.mode === 'direct' && b.models
                  ? b.models.a.name
                  : b.models
                    ? `${b.models.a.name} vs ${b.models.b.name}${b.winner ? ` · ${WINNER_TEXT[b.winner] ?? ''}` : ' · not voted yet'}`
                    : b.status === 'active'
                      ? 'not voted yet'
                      : b.status}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next ? (
        <button type="button" className="button button-secondary" onClick={() => void load(next)}>
          Show older
        </button>
      ) : null}
      {canDelete && (
        <div style={{ marginTop: '1rem' }}>
          {message && (
            <p role="status" data-testid="my-data-message">
              {message}
            </p>
          )}
          {confirming ? (
            <p>
              Delete every battle of this account, with its conversations and votes? This cannot be undone.{' '}
              <button type="button" className="button button-primary" onClick={() => void deleteAll()} data-testid="my-data-confirm">
                Delete my data
              </button>{' '}
              <button type="button" className="button button-ghost" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </p>
          ) : (
            <button type="button" className="button button-secondary" onClick={() => setConfirming(true)} data-testid="my-data-delete">
              Delete my data…
            </button>
          )}
        </div>
      )}
      <p className="muted" style={{ marginTop: '1rem' }}>
        <Link href="/">Back to the arena</Link>
      </p>
    </section>
  );
}
