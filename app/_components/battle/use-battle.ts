'use client';

import { useCallback, useEffect, useReducer, useRef, type Dispatch } from 'react';
import { flushSync } from 'react-dom';
import {
  battleResponseSchema,
  requestErrorFrom,
  shareResultSchema,
  streamEventSchema,
  voteResultSchema,
  type BattleMode,
  type PromptImage,
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
  send: (prompt: string, options?: SendOptions) => Promise<boolean>;
  regenerate: () => Promise<boolean>;
  vote: (winner: Winner) => Promise<void>;
  reset: () => void;
  dismissNotice: () => void;
  /** Reads a battle back from the server (after a reload); false when it cannot be shown. */
  restore: (battleId: string) => Promise<boolean>;
  /** Creates the share link (or revokes it with `false`). */
  share: (on: boolean) => Promise<void>;
}

export interface SendOptions {
  mode?: BattleMode;
  questionId?: string;
  /** Side by side: the chosen models, left first. */
  models?: [string, string];
  /** Direct chat: the model. */
  model?: string;
  images?: PromptImage[];
  chosen?: BattleState['chosen'];
}

/** The body that starts a battle in each mode. */
function createBody(prompt: string, o: SendOptions & { mode: BattleMode }): Record<string, unknown> {
  const images = o.images?.length ? { images: o.images.map(({ mediaType, data }) => ({ mediaType, data })) } : {};
  switch (o.mode) {
    case 'recorded':
      return { prompt, mode: o.mode, questionId: o.questionId };
    case 'named':
      return { prompt, mode: o.mode, models: o.models, ...images };
    case 'direct':
      return { prompt, mode: o.mode, model: o.model, ...images };
    default:
      return { prompt, mode: o.mode, ...images };
  }
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
      if (current.battleId) {
        dispatch({ type: 'send', prompt, mode });
        return stream(withBasePath(`/api/battles/${encodeURIComponent(current.battleId)}/messages`), { prompt });
      }
      dispatch({ type: 'send', prompt, mode, images: options.images?.map((i) => i.url), chosen: options.chosen });
      return stream(withBasePath('/api/battles'), createBody(prompt, { ...options, mode }), takeProof);
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

  const restore = useCallback(async (battleId: string) => {
    try {
      const res = await fetch(withBasePath(`/api/battles/${encodeURIComponent(battleId)}`), { cache: 'no-store' });
      if (!res.ok) return false;
      const parsed = battleResponseSchema.safeParse(await res.json());
      if (!parsed.success || parsed.data.mode === 'imported') return false;
      dispatch({ type: 'restore', battle: parsed.data });
      return true;
    } catch {
      return false;
    }
  }, []);

  const share = useCallback(async (on: boolean) => {
    const id = stateRef.current.battleId;
    if (!id) return;
    try {
      const res = await fetch(withBasePath(`/api/battles/${encodeURIComponent(id)}/share`), { method: on ? 'POST' : 'DELETE' });
      if (!res.ok) {
        dispatch({ type: 'notice', message: (await requestErrorFrom(res)).message });
        return;
      }
      if (!on) {
        dispatch({ type: 'shared', token: null });
        return;
      }
      const parsed = shareResultSchema.safeParse(await res.json());
      if (parsed.success) dispatch({ type: 'shared', token: parsed.data.token });
    } catch {
      dispatch({ type: 'notice', message: UNREACHABLE });
    }
  }, []);

  return { state, send, regenerate, vote, reset, dismissNotice, restore, share };
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
