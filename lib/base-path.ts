/**
 * The sub-path the app is served under (PAIRWISE_BASE_PATH, e.g. "/arena"), or "" at the root.
 *
 * Next.js writes its base path into the build, so this is the value the app was *built* with:
 * next.config.mjs inlines it into server and browser code alike as PAIRWISE_BUILT_BASE_PATH.
 * Links made with next/link and the router get it by themselves; a plain `fetch` or `<a href>`
 * to an app route must go through `withBasePath`. At start-up the environment's
 * PAIRWISE_BASE_PATH must match it (see startUp in lib/app-context.ts).
 */
export const BASE_PATH: string = process.env.PAIRWISE_BUILT_BASE_PATH ?? '';

/** An app-absolute path ("/api/arena") as the browser must request it. */
export function withBasePath(path: string): string {
  return `${BASE_PATH}${path}`;
}

/**
 * "/arena/" → "/arena"; "" and "/" → "". Null when the value cannot be a base path (Next needs a
 * leading slash, no trailing slash, and plain path segments).
 */
export function normaliseBasePath(raw: string | undefined): string | null {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (value === '') return '';
  return /^(\/[A-Za-z0-9._~-]+)+$/.test(value) ? value : null;
}
