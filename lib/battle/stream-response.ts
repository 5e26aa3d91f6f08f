import { trackStream } from '../shutdown';
import type { BattleDeps } from './deps';
import type { StopReason } from './run-turn';
import { executeTurn, type PreparedTurn } from './turns';
import type { WireEvent } from './wire';

/**
 * The NDJSON response of a turn: one JSON event a line, flushed as it happens. The turn stops
 * (and both sides are stored as aborted, with the reason) when the client goes away, which shows
 * up as the request's signal aborting or the response body being cancelled depending on the
 * server; when the client stops reading, so that more than STALL_BYTES wait unsent; or when the
 * server shuts down and the shutdown deadline passes (lib/shutdown.ts).
 */

/** Bytes the response may hold before it stops asking for more (the queue's high-water mark). */
const HIGH_WATER_BYTES = 64 * 1024;
/** Bytes waiting beyond the high-water mark at which a client counts as no longer reading. */
export const STALL_BYTES = 1024 * 1024;

export function turnResponse(deps: BattleDeps, prepared: PreparedTurn, req: Request): Response {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const stop = (reason: StopReason) => {
    if (!abort.signal.aborted) abort.abort(reason);
  };
  const onRequestAbort = () => stop('client_gone');
  if (req.signal.aborted) stop('client_gone');
  else req.signal.addEventListener('abort', onRequestAbort, { once: true });

  let closed = false;
  let finished: (done: Promise<void>) => void = () => {};
  trackStream(
    () => stop('shutdown'),
    new Promise<void>((resolve) => {
      finished = (done) => void done.then(resolve, resolve);
    }),
  );
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const emit = (event: WireEvent) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(JSON.stringify(event) + '\n'));
          } catch {
            closed = true;
            return;
          }
          // The server stops pulling when the socket's buffers are full: a client that stopped
          // reading would otherwise make this queue grow with the whole answer.
          if ((controller.desiredSize ?? 0) < -STALL_BYTES) stop('client_stalled');
        };
        // Not awaited: start() returning early lets the response (and its first bytes) go out now.
        const done = executeTurn(deps, prepared, { signal: abort.signal, emit }).finally(() => {
          req.signal.removeEventListener('abort', onRequestAbort);
          if (closed) return;
          closed = true;
          try {
            // A stalled client gets no more: closing would keep the queue until it is read.
            if (abort.signal.reason === 'client_stalled') controller.error(new Error('client stopped reading'));
            else controller.close();
          } catch {
            /* already cancelled */
          }
        });
        finished(done);
      },
      cancel() {
        closed = true;
        stop('client_gone');
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }),
  );

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
