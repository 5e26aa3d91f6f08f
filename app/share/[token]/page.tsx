import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { MarkdownAnswer } from '@/app/_components/battle/markdown-answer';
import { pageContext } from '@/app/_server/page-context';
import { sharedBattle } from '@/lib/battle/share';
import { modelHref } from '@/lib/leaderboard/links';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'A shared battle · Pairwise', robots: { index: false, follow: false }, referrer: 'no-referrer' };

const WINNER_TEXT: Record<string, string> = {
  model_a: 'A was better',
  model_b: 'B was better',
  tie: 'A tie',
  'tie (bothbad)': 'Both were bad',
};

/**
 * A battle its owner chose to share: the conversation and the reveal, read-only. Nothing on it says
 * who fought or voted (no voter, account, judge or battle id); a revoked or unknown token is a 404.
 */
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { app } = await pageContext();
  const battle = await sharedBattle(app, token);
  if (!battle) notFound();
  const direct = battle.mode === 'direct';
  const models = battle.revealed?.models ?? (battle.chosen ? { a: battle.chosen.a, b: battle.chosen.b } : null);
  const sides = direct ? (['a'] as const) : (['a', 'b'] as const);
  const kindText = direct ? 'Direct chat' : battle.mode === 'named' ? 'Side by side (models chosen by name)' : battle.mode === 'recorded' ? 'Battle on recorded answers' : 'Anonymous battle';
  return (
    <main className="page share-page" data-testid="shared-battle">
      <header className="share-head">
        <p className="muted">{kindText} · shared read-only</p>
        <h1>{direct ? `A chat with ${models?.a?.name ?? 'a model'}` : models?.a && models.b ? `${models.a.name} vs ${models.b.name}` : 'A battle'}</h1>
        {battle.revealed ? (
          <p className="share-verdict" data-testid="shared-verdict">
            Verdict: <strong>{WINNER_TEXT[battle.revealed.winner] ?? battle.revealed.winner}</strong>
          </p>
        ) : null}
      </header>
      <div className={`panes${direct ? ' panes-single' : ''}`}>
        {sides.map((side) => {
          const model = models?.[side] ?? null;
          const messages = battle.sides[side];
          const turns = [...new Set(messages.map((m) => m.turn))].sort((x, y) => x - y);
          return (
            <section key={side} className={`pane pane-${side}`} aria-labelledby={`share-${side}`}>
              <header className="pane-head">
                <span className="side-badge" aria-hidden="true">
                  {side.toUpperCase()}
                </span>
                <div className="pane-title">
                  <h2 id={`share-${side}`}>{direct ? 'The chat' : `Model ${side.toUpperCase()}`}</h2>
                  {model ? (
                    <p className="pane-identity">
                      <Link className="model-name" href={modelHref(model.id)} prefetch={false} data-testid={`shared-model-${side}`}>
                        {model.name}
                      </Link>
                      {model.organization ? <span className="model-org">{model.organization}</span> : null}
                    </p>
                  ) : null}
                </div>
              </header>
              <div className="pane-body">
                {turns.map((turn) => {
                  const user = messages.find((m) => m.turn === turn && m.role === 'user');
                  const answer = messages.find((m) => m.turn === turn && m.role === 'assistant');
                  return (
                    <article className="turn" key={turn} data-turn={turn}>
                      <div className="turn-prompt">
                        <span className="turn-label">Prompt</span>
                        <div className="turn-prompt-body">
                          <p>{user?.content}</p>
                          {user?.images?.map((src, k) => (
                            <img key={k} className="turn-image" src={src} alt={`Image ${k + 1} of the prompt`} data-testid="turn-image" />
                          ))}
                        </div>
                      </div>
                      <div className="answer" data-side={side} data-turn={turn} data-status={answer?.state === 'done' ? 'done' : 'error'}>
                        {answer?.content ? <MarkdownAnswer text={answer.content} /> : null}
                        {answer?.state === 'error' ? <p className="answer-note">{answer.error?.message ?? 'No answer.'}</p> : null}
                      </div>
                    </article>
                  );
                })}
              </div>
            </section>
          );
        })}
      </div>
      <p className="muted share-foot">
        <Link href="/">Try the arena yourself</Link> · <Link href="/leaderboard" prefetch={false}>Leaderboard</Link>
      </p>
    </main>
  );
}
