import type { ModelEntry, Registry } from './schema';

const byId = new WeakMap<Registry, Map<string, ModelEntry>>();

/** The entry with this id in a loaded registry (indexed once per registry object). */
export function findModel(registry: Registry, id: string): ModelEntry | undefined {
  let index = byId.get(registry);
  if (!index) byId.set(registry, (index = new Map(registry.models.map((m) => [m.id, m]))));
  return index.get(id);
}
