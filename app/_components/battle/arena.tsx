'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { withBasePath } from '@/lib/base-path';
import { modelHref } from '@/lib/leaderboard/links';
import { arenaInfoSchema, arenaModes, kindOfMode, type ArenaInfo, type ArenaKind, type ArenaModes, type BattleMode, type PromptImage, type Winner } from './api-types';
import { hasUnvotedAnswers, lastTurnFailed, votingEnabled, type BattleState } from './battle-state';
import { Composer } from './composer';
import { ConfirmDialog } from './confirm-dialog';
import { ImageAttach } from './image-attach';
import { ModelPicker, useNamedModels } from './model-picker';
import { RadioSwitch } from './radio-switch';
import { ShareControl } from './share-control';
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

const KIND_OPTIONS = [
  ['battle', 'Battle (anonymous)'],
  ['named', 'Side by side'],
  ['direct', 'Direct chat'],
] as const;

const MODE_OPTIONS = [
  ['live', 'Live models'],
  ['recorded', 'Recorded answers'],
] as const;

function Battle({ info, modes }: { info: ArenaInfo; modes: ArenaModes }) {
  const { state, send, regenerate, vote, reset, dismissNotice, restore, share } = useBattle();
  const [kind, setKind] = useState<ArenaKind>('battle');
  const [mode, setMode] = useState<'live' | 'recorded'>(initialMode(info, modes));
  const [draft, setDraft] = useState('');
  const [questionId, setQuestionId] = useState<string | null>(null);
  const [picked, setPicked] = useState<[string, string]>(['', '']);
  const [image, setImage] = useState<PromptImage | null>(null);
  const [confirming, setConfirming] = useState(false);
  // A battle id in the address (a reload, or a link from the history) is read back before anything else.
  const [restoring, setRestoring] = useState(true);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const { maxTurns, maxPromptChars } = info.limits;

  const started = state.turns.length > 0;
  const activeKind: ArenaKind = started ? kindOfMode(state.mode) : kind;
  const activeMode: BattleMode = started ? state.mode : kind === 'battle' ? mode : kind;
  const streaming = state.phase === 'streaming';
  const failed = lastTurnFailed(state);
  const voted = state.phase === 'voted';
  const direct = activeMode === 'direct';
  const turnsLeft = state.turnsLeft ?? maxTurns - state.turns.length;
  const canVote = votingEnabled(state);
  // The list of models by name is loaded only in the modes where names are the point.
  const named = useNamedModels(activeKind !== 'battle' && !started);

  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get('battle');
    if (!id) {
      setRestoring(false);
      return;
    }
    void restore(id).then((ok) => {
      if (!ok) dropBattleFromAddress();
      setRestoring(false);
    });
  }, [restore]);

  // The battle's id in the address, so a reload brings it back.
  useEffect(() => {
    if (restoring) return;
    const url = new URL(window.location.href);
    if (state.battleId) url.searchParams.set('battle', state.battleId);
    else url.searchParams.delete('battle');
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
  }, [state.battleId, restoring]);

  const chosenModels = useMemo(() => {
    const find = (id: string) => named.models?.find((m) => m.id === id) ?? null;
    return { a: find(picked[0]), b: find(picked[1]) };
  }, [named.models, picked]);
  const choiceMissing = !started && (kind === 'named' ? !chosenModels.a || !chosenModels.b : kind === 'direct' ? !chosenModels.a : false);

  const submitPrompt = useCallback(async () => {
    const prompt = draft.trim();
    if (!prompt) return;
    setDraft('');
    const images = !started && image ? [image] : undefined;
    const ok =
      !started && kind === 'named' && chosenModels.a && chosenModels.b
        ? await send(prompt, { mode: 'named', models: [chosenModels.a.id, chosenModels.b.id], chosen: { a: chosenModels.a, b: chosenModels.b }, images })
        : !started && kind === 'direct' && chosenModels.a
          ? await send(prompt, { mode: 'direct', model: chosenModels.a.id, chosen: { a: chosenModels.a, b: null }, images })
          : await send(prompt, { mode: started ? state.mode : 'live', images });
    if (ok) setImage(null);
    else setDraft((current) => current || prompt);
  }, [draft, send, started, image, kind, chosenModels, state.mode]);

  /** The chosen question, or one drawn at random: choosing from a list invites selection bias. */
  const startRecorded = useCallback(async () => {
    const { prompts } = modes.recorded;
    const question = prompts.find((p) => p.questionId === questionId) ?? randomItem(prompts);
    if (!question) return;
    await send(question.text, { mode: 'recorded', questionId: question.questionId });
  }, [modes.recorded, questionId, send]);

  const onVote = useCallback((winner: Winner) => void vote(winner), [vote]);

  const startOver = useCallback(() => {
    setConfirming(false);
    // The next battle starts in the mode of this one (also when it was restored from the address).
    if (state.turns.length > 0) {
      setKind(kindOfMode(state.mode));
      if (state.mode === 'live' || state.mode === 'recorded') setMode(state.mode);
    }
    reset();
    setDraft('');
    setQuestionId(null);
    setImage(null);
    // Ready for the next prompt (once the box is enabled again).
    requestAnimationFrame(() => inputRef.current?.focus());
  }, [reset, state.turns.length, state.mode]);

  /** Unvoted answers are not thrown away without asking. */
  const newBattle = useCallback(() => {
    if (hasUnvotedAnswers(state)) setConfirming(true);
    else startOver();
  }, [state, startOver]);

  const lockedReason = choiceMissing
    ? kind === 'named'
      ? 'Choose two models above first.'
      : 'Choose a model above first.'
    : composerLock(state, { failed, turnsLeft, maxTurns, mode: activeMode });
  const recorded = activeMode === 'recorded';
  // Nothing to type once no follow-up is possible: a recorded battle has one turn, a voted one is closed.
  const showComposer = !(recorded && started) && !voted;
  const hint = voteHint(state, failed, recorded);
  const imagesAllowed =
    !started &&
    (kind === 'battle'
      ? mode === 'live' && info.images.available
      : kind === 'named'
        ? !!chosenModels.a?.vision && !!chosenModels.b?.vision
        : !!chosenModels.a?.vision);
  const chosen = started ? state.chosen : activeKind === 'battle' ? null : { a: chosenModels.a, b: chosenModels.b };
  const paneSides = direct ? (['a'] as const) : (['a', 'b'] as const);
  const shareable = (voted && !!state.battleId) || (direct && started && !streaming && !!state.battleId);

  return (
    <div className="arena" data-phase={state.phase} data-mode={activeMode} data-kind={activeKind} data-battle-id={state.battleId ?? undefined}>
      <div className="arena-top">
        <div className="arena-intro">
          <h1>{activeKind === 'named' ? 'Side by side' : activeKind === 'direct' ? 'Direct chat' : 'Which answer is better?'}</h1>
          <p>
            {activeKind === 'named'
              ? 'Choose two models by name, ask them the same thing, and vote if you like. These votes are not anonymous, so they count only on the leaderboard’s “Side by side (named)” board, never on the main one.'
              : activeKind === 'direct'
                ? 'Chat with one model of your choice. Nothing here is voted on or counted on the leaderboard.'
                : recorded
                  ? 'Two anonymous models answered the same question earlier. Read both answers, then vote — their names are revealed only after you do.'
                  : 'Two anonymous models answer the same prompt side by side. Keep chatting if you like, then vote — their names are revealed only after you do.'}{' '}
            <Link href="/history" prefetch={false} className="history-link" data-testid="history-link">
              Your battles
            </Link>
          </p>
        </div>
        <div className="arena-switches">
          {modes.live ? (
            <RadioSwitch label="Arena mode" options={KIND_OPTIONS} value={activeKind} disabled={started} onChange={setKind} testIdPrefix="kind" className="mode-switch kind-switch" />
          ) : null}
          {activeKind === 'battle' && modes.recorded.available && modes.live ? (
            <RadioSwitch label="Battle mode" options={MODE_OPTIONS} value={activeMode === 'recorded' ? 'recorded' : 'live'} disabled={started} onChange={setMode} testIdPrefix="mode" />
          ) : null}
        </div>
      </div>

      {!started && activeMode === 'live' ? <LivePoolNote modes={modes} /> : null}

      {activeKind !== 'battle' && !started ? (
        named.models ? (
          named.models.length >= (kind === 'named' ? 2 : 1) ? (
            <ModelPicker models={named.models} slots={kind === 'named' ? 2 : 1} value={picked} onChange={setPicked} disabled={streaming} />
          ) : (
            <p className="pool-note" data-testid="picker-empty">
              {kind === 'named' ? 'Side by side needs two live models that can be reached now.' : 'No live model can be reached now.'}
            </p>
          )
        ) : (
          <p className="pool-note" role={named.error ? 'alert' : 'status'}>
            {named.error ?? 'Loading the models…'}
          </p>
        )
      ) : null}

      <div className={`panes${direct ? ' panes-single' : ''}`}>
        {paneSides.map((side) => (
          <ConversationPane
            key={side}
            side={side}
            turns={state.turns}
            revealed={state.reveal?.models[side] ?? chosen?.[side] ?? null}
            // Recorded answers are replayed at a fixed pace: their timings say nothing about the model.
            stats={state.mode === 'recorded' ? null : (state.reveal?.stats?.[side] ?? null)}
            winner={state.vote && voted ? state.vote : null}
            title={direct ? 'Your chat' : undefined}
            hiddenText={activeKind === 'battle' ? undefined : 'Not chosen yet'}
          />
        ))}
      </div>

      <div className="dock">
        {started ? (
          <div className="dock-row">
            {voted ? (
              <RevealSummary state={state} onNewBattle={startOver} />
            ) : direct ? null : (
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
                {activeMode !== 'recorded' ? (
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
                  <span aria-hidden="true">+</span> {direct ? 'New chat' : 'New battle'}
                </button>
              </div>
            ) : null}
          </div>
        ) : null}

        {shareable ? <ShareControl token={state.shareToken} onShare={share} /> : null}

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
          <>
            {imagesAllowed ? (
              <ImageAttach image={image} onChange={setImage} disabled={streaming} maxBytes={info.images.maxBytes} />
            ) : null}
            <Composer
              value={draft}
              onChange={setDraft}
              inputRef={inputRef}
              onSubmit={() => void submitPrompt()}
              maxChars={maxPromptChars}
              lockedReason={lockedReason}
              busy={streaming}
              placeholder={placeholderFor(activeMode, started, chosen?.a?.name)}
              footer={
                <span className="turns-left" data-testid="turns-left">
                  {turnsLeft} of {maxTurns} {maxTurns === 1 ? 'turn' : 'turns'} left
                </span>
              }
            />
          </>
        ) : null}

        {!started && activeMode !== 'recorded' ? (
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

      <ConfirmDialog
        open={confirming}
        title="Start a new battle?"
        body="These answers have not been voted on yet. A new battle leaves this one unvoted (it stays under “Your battles”, where you can still open it)."
        confirm="Discard and start new"
        cancel="Keep this battle"
        onConfirm={startOver}
        onCancel={() => setConfirming(false)}
        testId="new-battle-confirm"
      />
    </div>
  );
}

function placeholderFor(mode: BattleMode, started: boolean, name: string | undefined): string {
  if (mode === 'direct') return name ? `Message ${name}…` : 'Message the model…';
  if (started) return 'Ask both models a follow-up…';
  return mode === 'named' ? 'Ask anything. Both chosen models will answer.' : 'Ask anything. Two anonymous models will answer.';
}

function dropBattleFromAddress() {
  const url = new URL(window.location.href);
  url.searchParams.delete('battle');
  window.history.replaceState(window.history.state, '', url);
}

/**
 * The arena's own choice (recorded answers when the live pool is only test fixtures or too small
 * for varied pairs), within what is available.
 */
function initialMode(info: ArenaInfo, modes: ArenaModes): 'live' | 'recorded' {
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
