import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/app/_server/page-context';
import { battleDetail } from '@/lib/admin/votes';
import { isAppError } from '@/lib/errors';
import type { Message } from '@/db/schema';
import { VoteModeration } from '@/app/_components/admin/vote-moderation';
import { VoteStatus } from '@/app/_components/admin/vote-status';
import { when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

type Params = Promise<{ id: string }>;

function Side({ label, model, messages }: { label: string; model: string; messages: Message[] }) {
  return (
    <div className={styles.side} data-testid={`battle-side-${label.toLowerCase()}`}>
      <h3>
        {label}: <code>{model}</code>
      </h3>
      {messages.length === 0 && <p className={styles.muted}>No conversation stored (imported without one, or removed by the retention setting).</p>}
      {messages.map((m) => (
        <div key={m.id} className={`${styles.message} ${m.role === 'user' ? styles.messageUser : ''} ${m.superseded ? styles.messageSuperseded : ''}`}>
          <div className={styles.messageMeta}>
            turn {m.turn} · {m.role}
            {m.superseded ? ' · regenerated (superseded)' : ''}
            {m.role === 'assistant' && m.ttftMs !== null ? ` · first token ${m.ttftMs} ms` : ''}
            {m.role === 'assistant' && m.durationMs !== null ? ` · ${m.durationMs} ms` : ''}
            {m.finishReason ? ` · ${m.finishReason}` : ''}
          </div>
          {m.content}
          {m.error && <div className={styles.error}>{m.error}</div>}
        </div>
      ))}
    </div>
  );
}

export default async function AdminBattlePage({ params }: { params: Params }) {
  const raw = (await params).id;
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    /* not percent-encoded */
  }
  await requireAdminPage(`/admin/battles/${encodeURIComponent(id)}`);
  const detail = await battleDetail(id).catch((err) => {
    if (isAppError(err) && err.code === 'not_found') notFound();
    throw err;
  });
  const { battle, vote, messages } = detail;
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Battle</h1>
          <p className={styles.subtitle}>
            <code>{battle.id}</code> · <Link href="/admin/votes">all votes</Link>
          </p>
        </div>
      </div>
      <div className={styles.grid2}>
        <section className={`${styles.card} ${styles.cardBody}`}>
          <dl className={styles.facts}>
            <dt>Started</dt>
            <dd>{when(battle.createdAt)} UTC</dd>
            <dt>Mode</dt>
            <dd>
              {battle.mode} · {battle.source === 'import' ? `imported (import #${battle.importId})` : 'fought here'}
            </dd>
            <dt>Status</dt>
            <dd>
              {battle.status} · {battle.turns} turn{battle.turns === 1 ? '' : 's'}
            </dd>
            <dt>Language</dt>
            <dd>{battle.language ?? '–'}</dd>
            <dt>Voter</dt>
            <dd className={styles.mono}>
              {battle.voterId ? <Link href={`/admin/voters?voter=${encodeURIComponent(battle.voterId)}`}>{battle.voterId}</Link> : (battle.judge ?? '–')}
            </dd>
            <dt>Account</dt>
            <dd className={styles.mono}>{battle.userId ?? '–'}</dd>
          </dl>
        </section>
        <section className={`${styles.card} ${styles.cardBody}`} data-testid="battle-vote">
          {vote ? (
            <>
              <dl className={styles.facts}>
                <dt>Vote</dt>
                <dd>
                  {vote.winner} at {when(vote.votedAt)} UTC
                </dd>
                <dt>Leak check</dt>
                <dd>{vote.leakReason ?? 'nothing found'}</dd>
                <dt>Counts?</dt>
                <dd>
                  <VoteStatus reason={vote.excludedReason} moderation={vote.moderation} by={vote.moderatedBy} />
                </dd>
              </dl>
              <div style={{ marginTop: 12 }}>
                <VoteModeration voteId={vote.voteId} moderation={vote.moderation} excluded={vote.excludedReason !== null} />
              </div>
            </>
          ) : (
            <p className={styles.muted}>No vote on this battle.</p>
          )}
        </section>
      </div>
      <section className={`${styles.card} ${styles.cardBody}`}>
        <div className={styles.conversation} data-testid="battle-conversation">
          <Side label="A" model={battle.modelA} messages={messages.filter((m) => m.side === 'a')} />
          <Side label="B" model={battle.modelB} messages={messages.filter((m) => m.side === 'b')} />
        </div>
      </section>
    </>
  );
}
