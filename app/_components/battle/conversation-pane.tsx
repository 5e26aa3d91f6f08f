'use client';

import Link from 'next/link';
import { modelHref } from '@/lib/leaderboard/links';
import type { RevealedModel, Side, SideStats, Winner } from './api-types';
import type { Answer, Turn } from './battle-state';
import { MarkdownAnswer } from './markdown-answer';

interface Props {
  side: Side;
  turns: Turn[];
  revealed: RevealedModel | null;
  stats: SideStats | null;
  winner: Winner | null;
  /** The pane's heading (default "Model A" / "Model B"). */
  title?: string;
  /** What the identity line says while no model is shown. */
  hiddenText?: string;
}

const SIDE_LABEL: Record<Side, string> = { a: 'A', b: 'B' };

/** The page hooks of each side, spelt out so they can be found as written in DESIGN.md. */
const TEST_IDS: Record<Side, { response: string; name: string }> = {
  a: { response: 'response-a', name: 'model-a-name' },
  b: { response: 'response-b', name: 'model-b-name' },
};

/** One side of the battle: its answer to every turn, and after the vote who it was. */
export function ConversationPane({ side, turns, revealed, stats, winner, title, hiddenText = 'Hidden until you vote' }: Props) {
  const label = SIDE_LABEL[side];
  const last = turns.at(-1)?.[side];
  const headingId = `pane-${side}-title`;
  const picked =
    winner === (side === 'a' ? 'model_a' : 'model_b')
      ? 'Your pick'
      : winner === 'tie'
        ? 'Tie'
        : winner === 'tie (bothbad)'
          ? 'Both bad'
          : null;

  return (
    <section className={`pane pane-${side}`} aria-labelledby={headingId} data-status={last?.status ?? 'empty'}>
      <header className="pane-head">
        <span className="side-badge" aria-hidden="true">
          {label}
        </span>
        <div className="pane-title">
          <h2 id={headingId}>{title ?? `Model ${label}`}</h2>
          {revealed ? (
            <p className="pane-identity">
              <Link className="model-name" data-testid={TEST_IDS[side].name} href={modelHref(revealed.id)} prefetch={false}>
                {revealed.name}
              </Link>
              {revealed.organization ? <span className="model-org">{revealed.organization}</span> : null}
            </p>
          ) : (
            <p className="pane-identity pane-identity-hidden">{hiddenText}</p>
          )}
        </div>
        {picked ? <span className={`pick-badge ${picked === 'Your pick' ? 'pick-win' : ''}`}>{picked}</span> : null}
        {last ? <StatusPill answer={last} label={label} /> : null}
      </header>

      <div className="pane-body" data-testid={TEST_IDS[side].response} aria-busy={last?.status === 'streaming' || last?.status === 'waiting'}>
        {turns.length === 0 ? (
          <p className="pane-placeholder">Model {label}&rsquo;s answer will appear here.</p>
        ) : (
          turns.map((turn, index) => (
            <article className="turn" key={index} data-turn={index + 1}>
              <div className="turn-prompt">
                <span className="turn-label">You</span>
                <div className="turn-prompt-body">
                  <p>{turn.prompt}</p>
                  {turn.images?.map((src, k) => (
                    <img key={k} className="turn-image" src={src} alt={`Image ${k + 1} of your prompt`} data-testid="turn-image" />
                  ))}
                </div>
              </div>
              <AnswerView answer={turn[side]} side={side} turn={index + 1} label={label} />
            </article>
          ))
        )}
      </div>

      {revealed && stats ? <StatsFooter stats={stats} /> : null}
    </section>
  );
}

function AnswerView({ answer, side, turn, label }: { answer: Answer; side: Side; turn: number; label: string }) {
  return (
    <div className="answer" data-side={side} data-turn={turn} data-status={answer.status}>
      {/* Read out before the text, so a screen reader always says whose answer it is. */}
      <h3 className="visually-hidden">
        Model {label}&rsquo;s answer{turn > 1 ? ` to prompt ${turn}` : ''}
      </h3>
      {answer.text ? <MarkdownAnswer text={answer.text} /> : null}
      {answer.status === 'waiting' ? <TypingDots label={label} /> : null}
      {answer.status === 'streaming' ? <span className="caret" aria-hidden="true" /> : null}
      {answer.status === 'done' && !answer.text ? <p className="answer-note">(No text in this answer.)</p> : null}
      {answer.status === 'done' && answer.finishReason === 'length' ? (
        <p className="answer-note">Stopped at the length limit.</p>
      ) : null}
      {answer.status === 'error' ? (
        <div className="answer-error" role="alert" data-testid={`error-${side}`}>
          <strong>Model {label} failed.</strong> {answer.error?.message ?? 'The model did not answer.'}
        </div>
      ) : null}
    </div>
  );
}

function StatusPill({ answer, label }: { answer: Answer; label: string }) {
  const text = {
    waiting: 'Thinking',
    streaming: 'Writing',
    done: 'Done',
    error: 'Failed',
  }[answer.status];
  return (
    <span className={`status-pill status-${answer.status}`}>
      <span className="status-dot" aria-hidden="true" />
      <span className="visually-hidden">Model {label}: </span>
      {text}
    </span>
  );
}

function TypingDots({ label }: { label: string }) {
  return (
    <span className="typing" role="status" aria-label={`Model ${label}: waiting for the first words`}>
      <span />
      <span />
      <span />
    </span>
  );
}

function StatsFooter({ stats }: { stats: SideStats }) {
  const items: Array<[string, string]> = [
    ['First token', stats.ttftMs == null ? '—' : formatMs(stats.ttftMs)],
    ['Speed', stats.tokensPerSecond == null ? '—' : `${stats.tokensPerSecond.toFixed(1)} tok/s`],
    ['Tokens', stats.tokens == null ? '—' : String(stats.tokens)],
  ];
  return (
    <dl className="pane-stats">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
