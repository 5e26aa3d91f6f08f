import { turnResponse } from '../battle/stream-response';
import type { BattleDeps } from '../battle/deps';
import { json } from '../http';
import type { NextResult } from './participate';

/**
 * The answer to "next item": the turn's NDJSON stream (the arena's own), the same events of an
 * item already complete, or JSON `{ done: true, progress }` when nothing is left.
 */
export function nextResponse(deps: BattleDeps, next: NextResult, req: Request): Response {
  if (next.kind === 'done') return json({ done: true, progress: next.progress });
  // The item's prompt and the participant's progress come first, as a line of their own.
  const head = new TextEncoder().encode(`${JSON.stringify({ type: 'item', prompt: next.prompt, progress: next.progress })}\n`);
  if (next.kind === 'replay') {
    const body = next.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    return new Response(new Blob([head, body]), { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  const turn = turnResponse(deps, next.prepared, req);
  const reader = turn.body!.getReader();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: turn.status, headers: turn.headers });
}
