'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { withBasePath } from '@/lib/base-path';
import { modelHref } from '@/lib/leaderboard/links';
import { arenaInfoSchema, arenaModes, type ArenaInfo, type ArenaModes, type BattleMode, type Winner } from './api-types';
import { lastTurnFailed, votingEnabled, type BattleState } from './battle-state';
import { Composer } from './composer';
import { ConversationPane } from './conversation-pane';
import { NoticeGate, participationSchema, type Participation } from './notice-gate';
import { armProofOfWork } from './proof-of-work';
import { RecordedPicker } from './recorded-picker';
import { useBattle } from './use-battle';
import { VOTE_OPTIONS, VoteBar } from './vote-bar';

const EmptyState = dynamic(() => import('./empty-state'), { loading: () => <ArenaSkeleton /> });

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; info: ArenaInfo; modes: ArenaModes; participation: Participation | null };

const STARTERS = [
  'Explain recursion to a ten-year-old.',
  'Write a haiku about a database that never forgets.',
  'What are the trade-offs between SQL and NoSQL databases?',
  'Plan a relaxed three-day visit to Lisbon.',
];

export function Arena() {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });

  const load = useCallback(async (signal?: AbortSignal) => {
    setLoaded({ status: 'loading' });
    try {
      const res = await fetch(withBasePath('/api/arena'), { signal, cache: 'no-store' });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const body = (await res.json()) as { participation?: unknown };
      const info = arenaInfoSchema.parse(body);
      const participation = participationSchema.safeParse(body.participation);
      armProofOfWork(participation.success && participation.data.proofOfWork);
      setLoaded({ status: 'ready', info, modes: arenaModes(info), participation: participation.success ? participation.data : null });
    } catch {
      if (signal?.aborted) return;
      setLoaded({ status: 'error', message: 'The arena could not be loaded. Check that the server is running.' });
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  if (loaded.status === 'loading') return <ArenaSkeleton />;
  if (loaded.status === 'error') {
    return (
      <div className="arena-message" role="alert">
        <p>{loaded.message}</p>
        <button type="button" className="button button-secondary" onClick={() => void load()}>
          Try again
        </button>
      </div>
    );
  }
  const { info, modes, participation } = loaded;
  if (info.empty || (!modes.live && !modes.recorded.available)) {
    return <EmptyState reason={info.emptyReason ?? 'none-configured'} configured={info.models.configured} onRetry={() => void load()} />;
  }
  return (
    <NoticeGate participation={participation}>
      <Battle info={info} modes={modes} />
    </NoticeGate>
  );
}

function Battle({ info, modes }: { info: ArenaInfo; modes: ArenaModes }) {
  const { state, send, regenerate, vote, reset, dismissNotice } = useBattle();
  const [mode, setMode] = useState<BattleMode>(initialMode(info, modes));
  const [draft, setDraft] = useState('');
  const [questionId, setQuestionId] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const { maxTurns, maxPromptChars } = info.limits;

  const started = state.turns.length > 0;
  const activeMode: BattleMode = started ? state.mode : mode;
  const streaming = state.phase === 'streaming';
  const failed = lastTurnFailed(state);
  const voted = state.phase === 'voted';
  const turnsLeft = state.turnsLeft ?? maxTurns - state.turns.length;
  const canVote = votingEnabled(state);

  const submitPrompt = useCallback(async () => {
    const prompt = draft.trim();
    if (!prompt) return;
    setDraft('');
    const ok = await send(prompt, { mode: 'live' });
    if (!ok) setDraft((current) => current || prompt);
  }, [draft, send]);

  /** The chosen question, or one drawn at random: choosing from a list invites selection bias. */
  const startRecorded = useCallback(async () => {
    const { prompts } = modes.recorded;
    const question = prompts.find((p) => p.questionId === questionId) ?? randomItem(prompts);
    if (!question) return;
    await send(question.text, { mode: 'recorded', questionId: question.questionId });
  }, [modes.recorded, questionId, send]);

  const onVote = useCallback((winner: Winner) => void vote(winner), [vote]);

  const newBattle = useCallback(() => {
    reset();
    setDraft('');
    setQuestionId(null);
    // Ready for the next prompt (once the box is enabled again).
    requestAnimationFrame(() => inputRef.current?.focus());
  }, [reset]);

  const lockedReason = composerLock(state, { failed, turnsLeft, maxTurns, mode: activeMode });
  const recorded = activeMode === 'recorded';
  // Nothing to type once no follow-up is possible: a recorded battle has one turn, a voted one is closed.
  const showComposer = !(recorded && started) && !voted;
  const hint = voteHint(state, failed, recorded);

  return (
    <div className="arena" data-phase={state.phase} data-mode={activeMode} data-battle-id={state.battleId ?? undefined}>
      <div className="arena-top">
        <div className="arena-intro">
          <h1>Which answer is better?</h1>
          <p>
            {recorded
              ? 'Two anonymous models answered the same question earlier. Read both answers, then vote — their names are revealed only after you do.'
              : 'Two anonymous models answer the same prompt side by side. Keep chatting if you like, then vote — their names are revealed only after you do.'}
          </p>
        </div>
        {modes.recorded.available && modes.live ? (
          <ModeSwitch mode={activeMode} disabled={started} onChange={setMode} />
        ) : null}
      </div>

      {!started && activeMode === 'live' ? <LivePoolNote modes={modes} /> : null}

      <div className="panes">
        {(['a', 'b'] as const).map((side) => (
          <ConversationPane
            key={side}
            side={side}
            turns={state.turns}
            revealed={state.reveal?.models[side] ?? null}
            // Recorded answers are replayed at a fixed pace: their timings say nothing about the model.
            stats={state.mode === 'recorded' ? null : (state.reveal?.stats?.[side] ?? null)}
            winner={state.vote && voted ? state.vote : null}
          />
        ))}
      </div>

      <div className="dock">
        {started ? (
          <div className="dock-row">
            {voted ? (
              <RevealSummary state={state} onNewBattle={newBattle} />
            ) : (
              <VoteBar
                enabled={canVote}
                hint={hint.text}
                keyHint={hint.keys}
                chosen={state.vote}
                pending={state.phase === 'voting'}
                onVote={onVote}
              />
            )}
            {!voted ? (
              <div className="battle-actions">
                {activeMode === 'live' ? (
                  <button
                    type="button"
                    className="button button-ghost"
                    data-testid="regenerate"
                    disabled={streaming || state.phase === 'voting' || !state.battleId}
                    onClick={() => void regenerate()}
                  >
                    <span aria-hidden="true">↻</span> Regenerate
                  </button>
                ) : null}
                <button type="button" className="button button-ghost" data-testid="new-battle" onClick={newBattle}>
                  <span aria-hidden="true">+</span> New battle
                </button>
              </div>
            ) : null}
          </div>
        ) : null}

        {state.notice ? (
          <div className="notice" role="alert" data-testid="battle-notice">
            <span>{state.notice}</span>
            <button type="button" className="notice-close" aria-label="Dismiss" onClick={dismissNotice}>
              ×
            </button>
          </div>
        ) : null}

        {recorded && !started ? (
          <RecordedPicker
            prompts={modes.recorded.prompts}
            selected={questionId}
            onSelect={setQuestionId}
            onStart={() => void startRecorded()}
            busy={streaming}
          />
        ) : showComposer ? (
          <Composer
            value={draft}
            onChange={setDraft}
            inputRef={inputRef}
            onSubmit={() => void submitPrompt()}
            maxChars={maxPromptChars}
            lockedReason={lockedReason}
            busy={streaming}
            placeholder={started ? 'Ask both models a follow-up…' : 'Ask anything. Two anonymous models will answer.'}
            footer={
              <span className="turns-left" data-testid="turns-left">
                {turnsLeft} of {maxTurns} {maxTurns === 1 ? 'turn' : 'turns'} left
              </span>
            }
          />
        ) : null}

        {!started && activeMode === 'live' ? (
          <div className="starters" role="group" aria-label="Example prompts">
            {STARTERS.map((s) => (
              <button
                key={s}
                type="button"
                className="starter"
                onClick={() => {
                  setDraft(s);
                  inputRef.current?.focus();
                }}
              >
                {s}
              </button>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/**
 * The arena's own choice (recorded answers when the live pool is only test fixtures or too small
 * for varied pairs), within what is available.
 */
function initialMode(info: ArenaInfo, modes: ArenaModes): BattleMode {
  if (info.defaultMode === 'recorded' && modes.recorded.available) return 'recorded';
  return modes.live ? 'live' : 'recorded';
}

function randomItem<T>(items: readonly T[]): T | undefined {
  if (items.length === 0) return undefined;
  const [r] = crypto.getRandomValues(new Uint32Array(1));
  return items[r % items.length];
}

/** Says plainly when the live pool is only test fixtures, or so small that every battle is the same pair. */
function LivePoolNote({ modes }: { modes: ArenaModes }) {
  const { models, onlyFixtures } = modes.livePool;
  let text: string | null = null;
  if (onlyFixtures) {
    text =
      'The live models here are test fixtures: tiny models that write nonsense, for trying the arena out. Their answers are not worth judging.';
  } else if (models === 2) {
    text = 'Only two live models are available, so every live battle pairs the same two (on random sides).';
  }
  if (!text) return null;
  return (
    <p className="pool-note" data-testid="pool-note">
      {text}
      {modes.recorded.available ? ' Recorded answers of other models are under “Recorded answers”.' : null}
    </p>
  );
}

function composerLock(
  state: BattleState,
  ctx: { failed: boolean; turnsLeft: number; maxTurns: number; mode: BattleMode },
): string | null {
  if (state.turns.length === 0) return null;
  if (ctx.failed) return 'One side failed. Regenerate the answers or start a new battle.';
  if (ctx.turnsLeft <= 0) return `All ${ctx.maxTurns} turns used. Vote to reveal the models.`;
  return null;
}

/** What the vote bar says; `keys` is the keyboard part, hidden on touch screens. */
function voteHint(state: BattleState, failed: boolean, recorded: boolean): { text: string; keys?: string } {
  if (state.phase === 'voting') return { text: 'Sending your vote…' };
  if (state.phase === 'streaming') return { text: 'Voting opens when both answers are finished.' };
  if (failed) {
    return {
      text: recorded
        ? 'One side failed, so this battle cannot be voted. Start a new battle.'
        : 'One side failed, so this battle cannot be voted. Regenerate the answers or start a new battle.',
    };
  }
  if (!state.canVote) return { text: 'This battle cannot be voted right now.' };
  return { text: recorded ? 'Both answers are in. Vote with the buttons' : 'Vote with the buttons', keys: ' or press 1–4 (A, B, T, X)' };
}

function ModeSwitch({ mode, disabled, onChange }: { mode: BattleMode; disabled: boolean; onChange: (m: BattleMode) => void }) {
  const options = [
    ['live', 'Live models'],
    ['recorded', 'Recorded answers'],
  ] as const;
  // A radio group: one tab stop, arrow keys move the choice (the ARIA radio pattern).
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (disabled) return;
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const index = options.findIndex(([value]) => value === mode);
    const [next] = options[(index + step + options.length) % options.length];
    onChange(next);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="mode-${next}"]`)?.focus());
  };
  return (
    <div className="mode-switch" role="radiogroup" aria-label="Battle mode" data-testid="mode-switch" onKeyDown={onKeyDown}>
      {options.map(([value, label]) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={mode === value}
          tabIndex={mode === value ? 0 : -1}
          data-testid={`mode-${value}`}
          disabled={disabled && mode !== value}
          onClick={() => onChange(value)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

function RevealSummary({ state, onNewBattle }: { state: BattleState; onNewBattle: () => void }) {
  const reveal = state.reveal;
  const choice = VOTE_OPTIONS.find((o) => o.winner === state.vote);
  return (
    <div className="reveal-summary" role="status">
      <div>
        <p className="reveal-title">
          Thanks for voting: <strong>{choice?.label ?? state.vote}</strong>.
        </p>
        {reveal ? (
          <p className="reveal-line">
            A was <ModelLink model={reveal.models.a} /> · B was <ModelLink model={reveal.models.b} />
            {reveal.excluded ? (
              <span className="muted"> — this vote is kept but left out of the ratings because the conversation names a model.</span>
            ) : null}
          </p>
        ) : null}
      </div>
      <button type="button" className="button button-primary" data-testid="new-battle" onClick={onNewBattle} autoFocus>
        New battle
      </button>
    </div>
  );
}

function ModelLink({ model }: { model: { id: string; name: string } }) {
  return (
    <Link href={modelHref(model.id)} prefetch={false} className="reveal-model">
      {model.name}
    </Link>
  );
}

function ArenaSkeleton() {
  return (
    <div className="arena arena-loading" role="status" aria-busy="true" aria-label="Loading the arena">
      <div className="arena-intro">
        <div className="skeleton skeleton-title" />
        <div className="skeleton skeleton-line" />
      </div>
      <div className="panes">
        <div className="pane skeleton-pane" />
        <div className="pane skeleton-pane" />
      </div>
    </div>
  );
}
