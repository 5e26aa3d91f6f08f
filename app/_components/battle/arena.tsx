'use client';

import dynamic from 'next/dynamic';
import { useCallback, useEffect, useRef, useState } from 'react';
import { arenaInfoSchema, arenaModes, type ArenaInfo, type ArenaModes, type BattleMode, type Winner } from './api-types';
import { lastTurnFailed, votingEnabled, type BattleState } from './battle-state';
import { Composer } from './composer';
import { ConversationPane } from './conversation-pane';
import { NoticeGate, participationSchema, type Participation } from './notice-gate';
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
      const res = await fetch('/api/arena', { signal, cache: 'no-store' });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const body = (await res.json()) as { participation?: unknown };
      const info = arenaInfoSchema.parse(body);
      const participation = participationSchema.safeParse(body.participation);
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
  if (info.empty || (!modes.live && !modes.recorded.available)) return <EmptyState onRetry={() => void load()} />;
  return (
    <NoticeGate participation={participation}>
      <Battle info={info} modes={modes} />
    </NoticeGate>
  );
}

function Battle({ info, modes }: { info: ArenaInfo; modes: ArenaModes }) {
  const { state, send, regenerate, vote, reset, dismissNotice } = useBattle();
  const [mode, setMode] = useState<BattleMode>(modes.live ? 'live' : 'recorded');
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

  const startRecorded = useCallback(async () => {
    const question = modes.recorded.prompts.find((p) => p.questionId === questionId);
    if (!question) return;
    await send(question.text, { mode: 'recorded', questionId: question.questionId });
  }, [modes.recorded.prompts, questionId, send]);

  const onVote = useCallback((winner: Winner) => void vote(winner), [vote]);

  const newBattle = useCallback(() => {
    reset();
    setDraft('');
    setQuestionId(null);
    // Ready for the next prompt (once the box is enabled again).
    requestAnimationFrame(() => inputRef.current?.focus());
  }, [reset]);

  const lockedReason = composerLock(state, { failed, turnsLeft, maxTurns, mode: activeMode });

  return (
    <div className="arena" data-phase={state.phase} data-battle-id={state.battleId ?? undefined}>
      <div className="arena-top">
        <div className="arena-intro">
          <h1>Which answer is better?</h1>
          <p>
            Two anonymous models answer the same prompt side by side. Keep chatting if you like, then vote — their
            names are revealed only after you do.
          </p>
        </div>
        {modes.recorded.available && modes.live ? (
          <ModeSwitch mode={activeMode} disabled={started} onChange={setMode} />
        ) : null}
      </div>

      <div className="panes">
        <ConversationPane
          side="a"
          turns={state.turns}
          revealed={state.reveal?.models.a ?? null}
          stats={state.reveal?.stats?.a ?? null}
          winner={state.vote && voted ? state.vote : null}
        />
        <ConversationPane
          side="b"
          turns={state.turns}
          revealed={state.reveal?.models.b ?? null}
          stats={state.reveal?.stats?.b ?? null}
          winner={state.vote && voted ? state.vote : null}
        />
      </div>

      <div className="dock">
        {started ? (
          <div className="dock-row">
            {voted ? (
              <RevealSummary state={state} onNewBattle={newBattle} />
            ) : (
              <VoteBar
                enabled={canVote}
                hint={voteHint(state, failed)}
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

        {activeMode === 'recorded' && !started ? (
          <RecordedPicker
            prompts={modes.recorded.prompts}
            selected={questionId}
            onSelect={setQuestionId}
            onStart={() => void startRecorded()}
            busy={streaming}
            lockedReason={null}
          />
        ) : (
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
        )}

        {!started && activeMode === 'live' ? (
          <div className="starters" aria-label="Example prompts">
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

function composerLock(
  state: BattleState,
  ctx: { failed: boolean; turnsLeft: number; maxTurns: number; mode: BattleMode },
): string | null {
  if (state.phase === 'voted') return 'This battle is closed. Start a new battle to keep going.';
  if (state.turns.length === 0) return null;
  if (ctx.mode === 'recorded') return 'Recorded answers have a single turn. Vote to reveal the models.';
  if (ctx.failed) return 'One side failed. Regenerate the answers or start a new battle.';
  if (ctx.turnsLeft <= 0) return `All ${ctx.maxTurns} turns used. Vote to reveal the models.`;
  return null;
}

function voteHint(state: BattleState, failed: boolean): string {
  if (state.phase === 'voting') return 'Sending your vote…';
  if (state.phase === 'streaming') return 'Voting opens when both answers are finished.';
  if (failed) return 'One side failed, so this battle cannot be voted. Regenerate the answers or start a new battle.';
  if (!state.canVote) return 'This battle cannot be voted right now.';
  return 'Vote with the buttons or press 1–4 (A, B, T, X).';
}

function ModeSwitch({ mode, disabled, onChange }: { mode: BattleMode; disabled: boolean; onChange: (m: BattleMode) => void }) {
  return (
    <div className="mode-switch" role="radiogroup" aria-label="Battle mode" data-testid="mode-switch">
      {(
        [
          ['live', 'Live models'],
          ['recorded', 'Recorded answers'],
        ] as const
      ).map(([value, label]) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={mode === value}
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
            A was <strong>{reveal.models.a.name}</strong> · B was <strong>{reveal.models.b.name}</strong>
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

function ArenaSkeleton() {
  return (
    <div className="arena arena-loading" aria-busy="true" aria-label="Loading the arena">
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
