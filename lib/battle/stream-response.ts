import type { BattleDeps } from './deps';
import { executeTurn, type PreparedTurn } from './turns';
import type { WireEvent } from './wire';

/**
 * The NDJSON response of a turn: one JSON event a line, flushed as it happens. The turn stops
 * (and both sides are stored as aborted) when the client goes away, which shows up as the
 * request's signal aborting or the response body being cancelled, depending on the server.
 */
export function turnResponse(deps: BattleDeps, prepared: PreparedTurn, req: Request): Response {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort();
  if (req.signal.aborted) abort.abort();
  else req.signal.addEventListener('abort', onRequestAbort, { once: true });

  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const emit = (event: WireEvent) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(JSON.stringify(event) + '\n'));
        } catch {
          closed = true;
        }
      };
      // Not awaited: start() returning early lets the response (and its first bytes) go out now.
      void executeTurn(deps, prepared, { signal: abort.signal, emit }).finally(() => {
        req.signal.removeEventListener('abort', onRequestAbort);
        if (closed) return;
        closed = true;
        try {
          controller.close();
        } catch {
          /* already cancelled */
        }
      });
    },
    cancel() {
      closed = true;
      abort.abort();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      // Proxies such as nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    },
  });
}
