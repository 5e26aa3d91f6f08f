'use client';

import { useCallback, useEffect, useReducer, useRef, type Dispatch } from 'react';
import { flushSync } from 'react-dom';
import {
  requestErrorFrom,
  streamEventSchema,
  voteResultSchema,
  type BattleMode,
  type Side,
  type Winner,
} from './api-types';
import { battleReducer, initialBattleState, type BattleAction, type BattleState } from './battle-state';
import { readNdjson } from './ndjson';
import { takeProof } from './proof-of-work';
import { withBasePath } from '@/lib/base-path';

const UNREACHABLE = 'Could not reach the server. Check that Pairwise is running and try again.';

export interface BattleControls {
  state: BattleState;
  /** Starts a battle or sends a follow-up; resolves false when the server refused it. */
  send: (prompt: string, options?: { mode?: BattleMode; questionId?: string }) => Promise<boolean>;
  regenerate: () => Promise<boolean>;
  vote: (winner: Winner) => Promise<void>;
  reset: () => void;
  dismissNotice: () => void;
}

/**
 * Runs a battle against the battle API: one streamed request at a time, aborted when the page
 * goes away or a new battle starts (aborting the fetch closes the request, so the server stops
 * generating).
 */
export function useBattle(): BattleControls {
  const [state, dispatch] = useReducer(battleReducer, initialBattleState);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  const controllerRef = useRef<AbortController | null>(null);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const stream = useCallback(async (url: string, body: unknown, headers?: () => Promise<Record<string, string>>): Promise<boolean> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    try {
      return await runStream(controller, url, body, dispatch, (await headers?.()) ?? {});
    } finally {
      if (controllerRef.current === controller) controllerRef.current = null;
    }
  }, []);

  const send = useCallback<BattleControls['send']>(
    async (prompt, options = {}) => {
      const current = stateRef.current;
      // The ref is set synchronously, so a double click cannot start two requests.
      if (controllerRef.current || current.phase === 'streaming' || current.phase === 'voting') return false;
      const mode = options.mode ?? 'live';
      dispatch({ type: 'send', prompt, mode });
      if (current.battleId) {
        return stream(withBasePath(`/api/battles/${encodeURIComponent(current.battleId)}/messages`), { prompt });
      }
      return stream(
        withBasePath('/api/battles'),
        mode === 'recorded' ? { prompt, mode, questionId: options.questionId } : { prompt, mode },
        takeProof,
      );
    },
    [stream],
  );

  const regenerate = useCallback(async () => {
    const current = stateRef.current;
    if (controllerRef.current || !current.battleId || current.phase === 'streaming' || current.reveal) return false;
    dispatch({ type: 'regenerate' });
    return stream(withBasePath(`/api/battles/${encodeURIComponent(current.battleId)}/regenerate`), undefined);
  }, [stream]);

  const vote = useCallback(async (winner: Winner) => {
    const current = stateRef.current;
    if (!current.battleId || current.phase !== 'ready') return;
    dispatch({ type: 'vote-start', winner });
    try {
      const res = await fetch(withBasePath(`/api/battles/${encodeURIComponent(current.battleId)}/vote`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ winner }),
      });
      if (!res.ok) {
        dispatch({ type: 'vote-failed', message: (await requestErrorFrom(res)).message });
        return;
      }
      const parsed = voteResultSchema.safeParse(await res.json());
      if (!parsed.success) {
        dispatch({ type: 'vote-failed', message: 'The vote was sent but the answer could not be read. Reload the page.' });
        return;
      }
      dispatch({ type: 'voted', result: parsed.data });
    } catch {
      dispatch({ type: 'vote-failed', message: UNREACHABLE });
    }
  }, []);

  const reset = useCallback(() => {
    controllerRef.current?.abort();
    controllerRef.current = null;
    dispatch({ type: 'reset' });
  }, []);

  const dismissNotice = useCallback(() => dispatch({ type: 'dismiss-notice' }), []);

  return { state, send, regenerate, vote, reset, dismissNotice };
}

/** Sends one request and feeds its NDJSON events to the reducer until the body ends. */
async function runStream(
  controller: AbortController,
  url: string,
  body: unknown,
  dispatch: Dispatch<BattleAction>,
  headers: Record<string, string> = {},
): Promise<boolean> {
  const { signal } = controller;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch {
    if (!signal.aborted) dispatch({ type: 'request-failed', message: UNREACHABLE });
    return false;
  }
  if (!res.ok || !res.body) {
    const error = await requestErrorFrom(res);
    if (!signal.aborted) dispatch({ type: 'request-failed', message: error.message });
    return false;
  }
  dispatch({ type: 'accepted' });

  let ended = false;
  const started = new Set<Side>();
  try {
    for await (const raw of readNdjson(res.body)) {
      if (signal.aborted) break;
      const event = streamEventSchema.safeParse(raw);
      if (!event.success) continue;
      if (event.data.type === 'end') ended = true;
      const data = event.data;
      if (data.type === 'delta' && !started.has(data.side)) {
        started.add(data.side);
        // Lets a benchmark split the time to the first token into network and rendering.
        if (started.size === 1) performance.mark('battle:first-delta');
        // A side's first words are painted at once rather than on React's next scheduled pass.
        flushSync(() => dispatch({ type: 'event', event: data }));
        continue;
      }
      dispatch({ type: 'event', event: data });
      // The last line: the request is over even if the connection lingers, so the next one may start.
      if (ended) break;
    }
  } catch {
    /* the body broke off; handled below like an early end */
  }
  if (!ended && !signal.aborted) dispatch({ type: 'stream-closed' });
  return true;
}
