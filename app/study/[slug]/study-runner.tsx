'use client';

import Link from 'next/link';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { z } from 'zod';
import { requestErrorFrom, streamEventSchema, type Side, type Winner } from '@/app/_components/battle/api-types';
import { battleReducer, initialBattleState, lastTurnFailed, votingEnabled, type Answer } from '@/app/_components/battle/battle-state';
import { MarkdownAnswer } from '@/app/_components/battle/markdown-answer';
import { readNdjson } from '@/app/_components/battle/ndjson';
import { VoteBar } from '@/app/_components/battle/vote-bar';
import type { ParticipantView } from '@/lib/study/participate';
import styles from './study.module.css';
import { withBasePath } from '@/lib/base-path';

const progressSchema = z.object({ done: z.number(), total: z.number() });
const itemLineSchema = z.object({ type: z.literal('item'), prompt: z.string(), progress: progressSchema });
const doneSchema = z.object({ done: z.literal(true), progress: progressSchema });
type Progress = z.infer<typeof progressSchema>;

const UNREACHABLE = 'Could not reach the server. Check your connection and try again.';

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(withBasePath(url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * The participant's way through a study: the invitation code, consent, then one assigned item
 * after another (the battle's two answers streamed side by side, the vote bar), with progress,
 * until the design has nothing more for them. No model is ever named, not even after a vote.
 */
export function StudyRunner({ slug, initial, code }: { slug: string; initial: ParticipantView; code: string | null }) {
  const [view, setView] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/study/${encodeURIComponent(slug)}`;

  const join = useCallback(
    async (body: { code?: string; agree?: boolean }) => {
      setBusy(true);
      setError(null);
      try {
        const res = await post(`${base}/join`, body);
        if (!res.ok) return setError((await requestErrorFrom(res)).message);
        setView((await res.json()) as ParticipantView);
      } catch {
        setError(UNREACHABLE);
      } finally {
        setBusy(false);
      }
    },
    [base],
  );

  // An invitation link carries the code: use it at once.
  const usedCode = useRef(false);
  useEffect(() => {
    if (code && view.needs === 'code' && !usedCode.current) {
      usedCode.current = true;
      void join({ code });
    }
  }, [code, view.needs, join]);

  const s = view.study;
  const header = (
    <header className={styles.head}>
      <h1 data-testid="study-title">{s.title}</h1>
      {view.progress ? <Progress progress={view.progress} /> : null}
    </header>
  );

  if (s.status !== 'open' && !view.finished) {
    return (
      <section className={styles.card}>
        {header}
        <p data-testid="study-closed">{s.status === 'draft' ? 'This study has not started yet. Come back later.' : 'This study is closed. Thank you for your interest.'}</p>
      </section>
    );
  }
  if (view.excluded) {
    return (
      <section className={styles.card}>
        {header}
        <p>Your participation in this study has ended. Thank you.</p>
      </section>
    );
  }
  if (view.needs === 'sign-in') {
    return (
      <section className={styles.card}>
        {header}
        <p>Sign in to take part in this study.</p>
        <Link className="button button-primary" href={`/signin?callbackUrl=${encodeURIComponent(`/study/${slug}`)}`}>
          Sign in
        </Link>
      </section>
    );
  }
  if (view.needs === 'code') return <CodeForm header={header} busy={busy} error={error} onSubmit={(c) => void join({ code: c })} />;
  if (view.needs === 'join' || view.needs === 'consent') {
    return <Consent header={header} view={view} busy={busy} error={error} onAgree={() => void join(view.consent || view.qualification ? { agree: true } : {})} />;
  }
  if (view.finished) {
    return (
      <section className={styles.card} data-testid="study-complete">
        {header}
        <h2>Thank you!</h2>
        <p>You have judged every item this study has for you. You can close this page.</p>
      </section>
    );
  }
  return <Items slug={slug} base={base} header={header} view={view} onProgress={(p, finished) => setView((v) => ({ ...v, progress: p, finished }))} />;
}

function Progress({ progress }: { progress: Progress }) {
  const share = progress.total ? Math.min(1, progress.done / progress.total) : 0;
  return (
    <div className={styles.progress}>
      <span data-testid="study-progress">
        {progress.done} of {progress.total}
      </span>
      <span className={styles.bar} role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
        <span style={{ width: `${(100 * share).toFixed(1)}%` }} />
      </span>
    </div>
  );
}

function CodeForm({ header, busy, error, onSubmit }: { header: React.ReactNode; busy: boolean; error: string | null; onSubmit: (code: string) => void }) {
  const [code, setCode] = useState('');
  return (
    <section className={styles.card}>
      {header}
      <p>Enter the participant code from your invitation.</p>
      <form
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          if (code.trim()) onSubmit(code.trim());
        }}
      >
        <label className={styles.field}>
          Participant code
          <input data-testid="study-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} placeholder="XXXXX-XXXXX" />
        </label>
        <button className="button button-primary" type="submit" disabled={busy || !code.trim()} data-testid="study-code-submit">
          Continue
        </button>
        {error ? (
          <p className={styles.error} role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function Consent({ header, view, busy, error, onAgree }: { header: React.ReactNode; view: ParticipantView; busy: boolean; error: string | null; onAgree: () => void }) {
  const [consent, setConsent] = useState(!view.consent);
  const [qualified, setQualified] = useState(!view.qualification);
  return (
    <section className={styles.card}>
      {header}
      {view.study.instructions ? <div className={styles.instructions}><MarkdownAnswer text={view.study.instructions} /></div> : null}
      <p className="muted">
        You will see a prompt and two anonymous answers, and say which is better. Neither you nor the page will learn which
        models wrote them. Each answer you give is stored under a pseudonym.
      </p>
      {view.consent ? (
        <div className={styles.consent} data-testid="study-consent">
          <MarkdownAnswer text={view.consent} />
          <label className={styles.check}>
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} data-testid="study-consent-check" /> I have read this and agree to take part.
          </label>
        </div>
      ) : null}
      {view.qualification ? (
        <label className={styles.check}>
          <input type="checkbox" checked={qualified} onChange={(e) => setQualified(e.target.checked)} data-testid="study-qualification-check" /> {view.qualification}
        </label>
      ) : null}
      <button className="button button-primary" type="button" disabled={busy || !consent || !qualified} onClick={onAgree} data-testid="study-start">
        Start
      </button>
      {error ? (
        <p className={styles.error} role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function Items({
  base,
  header,
  view,
  onProgress,
}: {
  slug: string;
  base: string;
  header: React.ReactNode;
  view: ParticipantView;
  onProgress: (p: Progress, finished: boolean) => void;
}) {
  const [state, dispatch] = useReducer(battleReducer, initialBattleState);
  const [loading, setLoading] = useState(false);
  const busyRef = useRef(false);
  const started = useRef(false);

  const load = useCallback(async () => {
    if (busyRef.current) return;
    busyRef.current = true;
    setLoading(true);
    dispatch({ type: 'reset' });
    try {
      let res: Response;
      try {
        res = await post(`${base}/next`, {});
      } catch {
        dispatch({ type: 'request-failed', message: UNREACHABLE });
        return;
      }
      if (!res.ok || !res.body) {
        dispatch({ type: 'request-failed', message: (await requestErrorFrom(res)).message });
        return;
      }
      if (!(res.headers.get('content-type') ?? '').includes('ndjson')) {
        const done = doneSchema.safeParse(await res.json());
        if (done.success) onProgress(done.data.progress, true);
        return;
      }
      let ended = false;
      for await (const raw of readNdjson(res.body)) {
        const item = itemLineSchema.safeParse(raw);
        if (item.success) {
          dispatch({ type: 'send', prompt: item.data.prompt, mode: 'recorded' });
          dispatch({ type: 'accepted' });
          onProgress(item.data.progress, false);
          setLoading(false);
          continue;
        }
        const event = streamEventSchema.safeParse(raw);
        if (!event.success) continue;
        dispatch({ type: 'event', event: event.data });
        if (event.data.type === 'end') {
          ended = true;
          break;
        }
      }
      if (!ended) dispatch({ type: 'stream-closed' });
    } finally {
      busyRef.current = false;
      setLoading(false);
    }
  }, [base, onProgress]);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void load();
  }, [load]);

  const vote = useCallback(
    async (winner: Winner) => {
      if (!state.battleId || !votingEnabled(state)) return;
      dispatch({ type: 'vote-start', winner });
      try {
        const res = await post(`${base}/judgments`, { battleId: state.battleId, winner });
        if (!res.ok) {
          const err = await requestErrorFrom(res);
          dispatch({ type: 'vote-failed', message: err.message });
          // An item that went to someone else: move on.
          if (err.code === 'conflict') void load();
          return;
        }
        const body = z.object({ progress: progressSchema }).parse(await res.json());
        onProgress(body.progress, false);
        void load();
      } catch {
        dispatch({ type: 'vote-failed', message: UNREACHABLE });
      }
    },
    [base, state, load, onProgress],
  );

  const turn = state.turns.at(-1);
  const failed = lastTurnFailed(state);
  const hint =
    state.phase === 'voting'
      ? 'Sending your judgment…'
      : state.phase === 'streaming'
        ? 'Judging opens when both answers are complete.'
        : failed
          ? 'An answer did not arrive. Load it again.'
          : 'Which answer is better? Use the buttons or press 1–4 (A, B, T, X).';

  return (
    <div className={styles.runner} data-phase={state.phase} data-testid="study-item" data-battle-id={state.battleId ?? undefined}>
      {header}
      {view.study.instructions ? (
        <details className={styles.instructions}>
          <summary>Instructions</summary>
          <MarkdownAnswer text={view.study.instructions} />
        </details>
      ) : null}
      <section className={styles.prompt} aria-label="Prompt">
        <span className={styles.label}>Prompt</span>
        <div data-testid="study-prompt">{turn ? <MarkdownAnswer text={turn.prompt} /> : loading ? <span className="muted">Loading the next item…</span> : null}</div>
      </section>
      <div className="panes">
        {(['a', 'b'] as const).map((side) => (
          <AnswerPane key={side} side={side} answer={turn?.[side] ?? null} />
        ))}
      </div>
      <div className="dock">
        <div className="dock-row">
          <VoteBar enabled={votingEnabled(state)} hint={hint} chosen={state.vote} pending={state.phase === 'voting'} onVote={(w) => void vote(w)} />
          {failed || (state.phase === 'ready' && !state.canVote && state.turns.length > 0) || (state.notice && state.turns.length === 0) ? (
            <div className="battle-actions">
              <button type="button" className="button button-secondary" data-testid="study-retry" onClick={() => void load()}>
                Load again
              </button>
            </div>
          ) : null}
        </div>
        {state.notice ? (
          <div className="notice" role="alert" data-testid="battle-notice">
            <span>{state.notice}</span>
          </div>
        ) : null}
      </div>
    </div>
  );
}

const SIDE_LABEL: Record<Side, string> = { a: 'A', b: 'B' };

function AnswerPane({ side, answer }: { side: Side; answer: Answer | null }) {
  const label = SIDE_LABEL[side];
  return (
    <section className={`pane pane-${side}`} aria-label={`Answer ${label}`} data-status={answer?.status ?? 'empty'}>
      <header className="pane-head">
        <span className="side-badge" aria-hidden="true">
          {label}
        </span>
        <div className="pane-title">
          <h2>Answer {label}</h2>
        </div>
      </header>
      <div className="pane-body" data-testid={`response-${side}`} aria-busy={answer?.status === 'streaming' || answer?.status === 'waiting'}>
        {answer?.text ? <MarkdownAnswer text={answer.text} /> : null}
        {answer?.status === 'waiting' ? <p className="muted">Waiting for the answer…</p> : null}
        {answer?.status === 'error' ? (
          <div className="answer-error" role="alert">
            <strong>This answer did not arrive.</strong> {answer.error?.message}
          </div>
        ) : null}
      </div>
    </section>
  );
}
