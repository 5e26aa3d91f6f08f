import { castVote } from '../../db/queries/votes';
import type { Message, Winner } from '../../db/schema';
import { AppError } from '../errors';
import { findModel } from '../registry/lookup';
import { loadOwnedView } from './access';
import type { BattleActor, BattleDeps } from './deps';
import { checkLeak, type ConversationTurn } from './leak-check';
import { assertCanVote, battleState } from './state';
import { currentMessages, reveal, type Revealed } from './wire';

function conversation(messages: Message[]): ConversationTurn[] {
  const turns = new Map<number, ConversationTurn>();
  for (const m of currentMessages(messages)) {
    const t = turns.get(m.turn) ?? { turn: m.turn, prompt: '', a: '', b: '' };
    if (m.role === 'user') t.prompt = m.content;
    else t[m.side] = m.content;
    turns.set(m.turn, t);
  }
  return [...turns.values()].sort((x, y) => x.turn - y.turn);
}

/** The one vote of a battle, by its owner; the answer reveals both models and their speed. */
export async function voteOnBattle(deps: BattleDeps, battleId: string, winner: Winner, actor: BattleActor): Promise<Revealed> {
  const registry = deps.registry();
  const view = await loadOwnedView(battleId, actor);
  const state = battleState(view.battle, view.messages, { maxTurns: registry.settings.maxTurns, busy: await deps.turns.isHeld(battleId) });
  if (view.battle.mode === 'imported') throw new AppError('battle_closed', 'Imported battles cannot be voted on here.');
  assertCanVote(state, view.battle.mode);
  // Side by side is not blind: naming a model there reveals nothing the voter did not choose.
  const leakReason = view.battle.mode === 'named' ? null : checkLeak(conversation(view.messages), deps.leak());
  const vote = await castVote({ battleId, winner, voterId: actor.voterId, leakReason });
  return reveal((id) => findModel(registry, id), view, winner, vote.excludedReason !== null);
}
