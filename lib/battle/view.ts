import { findModel } from '../registry/lookup';
import { loadOwnedView } from './access';
import type { BattleActor, BattleDeps } from './deps';
import { battleResponse, type BattleResponse } from './wire';

/** The battle as its owner's page shows it; model names only once it has been voted on. */
export async function getOwnedBattle(deps: BattleDeps, battleId: string, actor: BattleActor): Promise<BattleResponse> {
  const registry = deps.registry();
  const view = await loadOwnedView(battleId, actor);
  return battleResponse(view, {
    maxTurns: registry.settings.maxTurns,
    timeoutMs: registry.settings.timeoutMs,
    busy: await deps.turns.isHeld(battleId),
    models: (id) => findModel(registry, id),
  });
}
