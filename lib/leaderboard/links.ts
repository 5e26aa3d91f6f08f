/** Address of a model's page; model ids may hold "/" and ":", so the id is one encoded segment. */
export function modelHref(id: string): string {
  return `/models/${encodeURIComponent(id)}`;
}
