import { deleteOwnedBattles, listOwnedBattles, type OwnedBattleRow } from '../../db/queries/owned-battles';
import type { BattleDeps } from '../battle/deps';
import { AppError } from '../errors';
import type { Actor } from '../identity/actor';
import { findModel } from '../registry/lookup';

export interface MyBattle extends Omit<OwnedBattleRow, 'modelA' | 'modelB'> {
  models: { a: { id: string; name: string }; b: { id: string; name: string } } | null;
}

/** A person's own battles, newest first; model names only for battles they have voted on. */
export async function myBattles(
  deps: Pick<BattleDeps, 'registry'>,
  actor: Actor,
  page: { before?: number; limit: number },
): Promise<{ battles: MyBattle[]; next: number | null }> {
  const owner = actor.userId ? { userId: actor.userId } : actor.voterId ? { voterId: actor.voterId } : null;
  if (!owner) return { battles: [], next: null };
  const rows = await listOwnedBattles({ owner, limit: page.limit, before: page.before });
  const registry = deps.registry();
  const named = (id: string) => ({ id, name: findModel(registry, id)?.name ?? id });
  const battles = rows.map(({ modelA, modelB, ...rest }) => ({
    ...rest,
    models: modelA && modelB ? { a: named(modelA), b: named(modelB) } : null,
  }));
  return { battles, next: rows.length === page.limit ? rows[rows.length - 1].createdAt : null };
}

export async function deleteMyData(actor: Actor): Promise<{ deleted: number }> {
  if (!actor.userId) throw new AppError('unauthorized', 'Sign in first.');
  return { deleted: await deleteOwnedBattles({ userId: actor.userId }) };
}
