import { getBattleView, type BattleView } from '../../db/queries/battles';
import { AppError } from '../errors';
import type { BattleActor } from './deps';

/**
 * A battle belongs to whoever started it: its account when one owns it (the user was signed in,
 * or signed in later on the same browser), otherwise the browser's voter. Anyone else gets the
 * same 404 as for a battle that does not exist, so a leaked battle id tells nothing.
 */
export function ownsBattle(actor: BattleActor, battle: { voterId: string | null; userId: string | null }): boolean {
  if (battle.userId) return actor.userId === battle.userId;
  return battle.voterId !== null && actor.voterId === battle.voterId;
}

export const NOT_FOUND_MESSAGE = 'No battle with this id.';

/** The battle with its messages and vote, when it exists and belongs to `actor`. */
export async function loadOwnedView(battleId: string, actor: BattleActor): Promise<BattleView> {
  const view = await getBattleView({ id: battleId });
  if (!view || !ownsBattle(actor, view.battle)) throw new AppError('not_found', NOT_FOUND_MESSAGE);
  return view;
}
