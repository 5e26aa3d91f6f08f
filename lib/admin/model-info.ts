import { z } from 'zod';
import { battleModelNames, listModelInfo, writeModelInfo } from '../../db/queries/model-info';
import type { ModelInfo } from '../../db/schema';
import type { RegistryLike } from '../leaderboard/board-view';
import { readBoard } from '../leaderboard/read-board';
import type { ConsoleDeps, Operator } from './deps';

/**
 * Models that are not in the registry (names found only in imported battles) have no provider,
 * but operators can give them a display name, an organization, a licence and a link, which the
 * leaderboard shows instead of "unknown".
 */

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional()
    .transform((v) => v ?? null);

export const modelInfoSchema = z.strictObject({
  id: z.string().min(1).max(200),
  name: optionalText(200),
  organization: optionalText(200),
  license: optionalText(200),
  link: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).max(2000)])
    .nullable()
    .optional()
    .transform((v) => (v ? v : null)),
});

export interface ImportedModel {
  id: string;
  /** Votes on the current overall board (null: not on it). */
  votes: number | null;
  info: ModelInfo | null;
}

/** Every battle model name the registry does not list, with its facts and its votes on the board. */
export async function listImportedModels(deps: Pick<ConsoleDeps, 'registry'>): Promise<ImportedModel[]> {
  const registered = new Set(deps.registry().models.map((m) => m.id));
  const info = new Map((await listModelInfo()).map((i) => [i.id, i]));
  const names = new Set([...(await battleModelNames()), ...info.keys()].filter((n) => !registered.has(n)));
  const board = await readBoard({ category: 'overall', styleControl: false }).catch(() => null);
  const votes = new Map(board?.result.models.map((m) => [m.model, m.votes]) ?? []);
  return [...names].sort().map((id) => ({ id, votes: votes.get(id) ?? null, info: info.get(id) ?? null }));
}

export async function setModelInfo(by: Operator, input: z.output<typeof modelInfoSchema>): Promise<void> {
  await writeModelInfo({
    id: input.id,
    fields: { name: input.name, organization: input.organization, license: input.license, link: input.link },
    by: by.id,
  });
}

/**
 * What the leaderboard looks model names up in: the registry's entries, then the facts set in the
 * console for models outside it. Registry entries win (they are edited on the models page).
 */
export async function boardModelEntries(registry: readonly RegistryLike[]): Promise<RegistryLike[]> {
  const known = new Set(registry.map((e) => e.id));
  const extra: RegistryLike[] = [];
  for (const i of await listModelInfo().catch(() => [])) {
    if (known.has(i.id)) continue;
    extra.push({
      id: i.id,
      name: i.name ?? i.id,
      organization: i.organization ?? 'unknown',
      license: i.license ?? 'unknown',
      deprecated: false,
      link: i.link,
    });
  }
  return [...registry, ...extra];
}
