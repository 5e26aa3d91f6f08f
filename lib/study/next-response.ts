import { turnResponse } from '../battle/stream-response';
import type { BattleDeps } from '../battle/deps';
import { json } from '../http';
import type { NextResult } from './participate';

/**
 * The answer to "next item": the turn's NDJSON stream (the arena's own), the same events of an
 * item already complete, or JSON `{ done: true, progress }` when nothing is left.
 */
export function nextResponse(deps: BattleDeps, next: NextResult, req: Request): Response {
  if (next.kind === 'turn') return turnResponse(deps, next.prepared, req);
  if (next.kind === 'done') return json({ done: true, progress: next.progress });
  const body = next.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  return new Response(body, { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' } });
}
