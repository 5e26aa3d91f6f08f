import { randomBytes } from 'node:crypto';
import { battleIdByShareToken, getBattleView, shareBattle, unshareBattle } from '../../db/queries/battles';
import { AppError } from '../errors';
import { findModel } from '../registry/lookup';
import { loadOwnedView } from './access';
import type { BattleActor, BattleDeps } from './deps';
import { battleResponse, type BattleResponse } from './wire';

/**
 * Read-only links to a battle, opt-in by its owner. The token is 32 random bytes (base64url), the
 * only key to the page: it says nothing about the battle, its owner or the voter, and revoking it
 * makes the old link read nothing. Only a voted battle (whose models are revealed anyway) or a
 * direct chat can be shared, so a link never unblinds a battle that is still open.
 */

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newShareToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sharePath(token: string): string {
  return `/share/${token}`;
}

export async function shareOwnedBattle(battleId: string, actor: BattleActor): Promise<{ token: string; path: string }> {
  const view = await loadOwnedView(battleId, actor);
  const { battle } = view;
  const shareable = (battle.status === 'voted' && view.vote !== null) || (battle.mode === 'direct' && battle.turns > 0);
  if (!shareable) throw new AppError('not_ready', 'Vote first: a battle can be shared once its models are revealed.');
  const token = await shareBattle({ battleId, token: newShareToken() });
  return { token, path: sharePath(token) };
}

export async function revokeShare(battleId: string, actor: BattleActor): Promise<{ revoked: true }> {
  await loadOwnedView(battleId, actor);
  await unshareBattle({ battleId });
  return { revoked: true };
}

/** What a shared link shows: the conversation and the reveal; no battle id, owner or voter. */
export type SharedBattle = Omit<BattleResponse, 'id' | 'shareToken' | 'canVote' | 'canSend' | 'canRegenerate' | 'turnsLeft'> & {
  createdAt: number;
};

export async function sharedBattle(deps: BattleDeps, token: string): Promise<SharedBattle | null> {
  if (!TOKEN.test(token)) return null;
  const id = await battleIdByShareToken({ token });
  if (!id) return null;
  const view = await getBattleView({ id });
  if (!view) return null;
  const registry = deps.registry();
  const full = battleResponse(view, {
    maxTurns: registry.settings.maxTurns,
    timeoutMs: registry.settings.timeoutMs,
    busy: false,
    models: (m) => findModel(registry, m),
  });
  return {
    status: full.status,
    mode: full.mode,
    questionId: full.questionId,
    turn: full.turn,
    sides: full.sides,
    ...(full.revealed ? { revealed: full.revealed } : {}),
    ...(full.chosen ? { chosen: full.chosen } : {}),
    createdAt: view.battle.createdAt,
  };
}
