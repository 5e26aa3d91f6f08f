import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Downloads one file for the model and data commands: into a temporary file beside the target,
 * renamed into place only once complete (and checked), so an interrupted download never leaves a
 * truncated model where the registry would find it. Fails fast when the host cannot be reached.
 */

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    /** True when the host could not be reached at all (no network, DNS, firewall, timeout). */
    readonly unreachable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  /** Time allowed until the response headers arrive (ms). */
  connectTimeoutMs?: number;
  /** Time allowed without receiving any data once the body flows (ms). */
  stallTimeoutMs?: number;
  /** Expected sha256 (hex); the file is refused when it differs. */
  sha256?: string;
  /** Called with the bytes received so far and the total, when the server says. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Checks the first bytes (e.g. the GGUF magic); returns an error message or null. */
  checkHead?: (head: Buffer) => string | null;
  signal?: AbortSignal;
}

/** A network error's most useful reason: "getaddrinfo ENOTFOUND huggingface.co", "connect ECONNREFUSED ...". */
export function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time';
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<{ bytes: number; sha256: string }> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 8_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer = setTimeout(() => ctrl.abort(new DOMException('timed out', 'TimeoutError')), connectTimeoutMs);

  let res: Response;
  try {
    res = await fetch(url, { signal: ctrl.signal, redirect: 'follow' });
  } catch (err) {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    throw new DownloadError(`cannot reach ${new URL(url).host} (${networkReason(err)})`, url, true, { cause: err });
  }
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    await res.body?.cancel().catch(() => {});
    throw new DownloadError(`${url} answered HTTP ${res.status} ${res.statusText}`.trim(), url, false);
  }

  const total = Number(res.headers.get('content-length')) || undefined;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.part`;
  const out = fs.createWriteStream(tmp);
  const hash = createHash('sha256');
  let received = 0;
  let head: Buffer | null = Buffer.alloc(0);
  const restartStallTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new DOMException('stalled', 'TimeoutError')), stallTimeoutMs);
  };
  try {
    restartStallTimer();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      restartStallTimer();
      const buf = Buffer.from(chunk);
      if (head && options.checkHead) {
        head = Buffer.concat([head, buf]);
        if (head.length >= 16) {
          const problem = options.checkHead(head);
          if (problem) throw new DownloadError(`${url}: ${problem}`, url, false);
          head = null;
        }
      }
      hash.update(buf);
      received += buf.length;
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      options.onProgress?.(received, total);
    }
    if (head && options.checkHead) {
      const problem = options.checkHead(head);
      if (problem) throw new DownloadError(`${url}: ${problem}`, url, false);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (total !== undefined && received !== total) throw new DownloadError(`${url}: got ${received} of ${total} bytes`, url, false);
    const digest = hash.digest('hex');
    if (options.sha256 && digest !== options.sha256.toLowerCase()) {
      throw new DownloadError(`${url}: sha256 ${digest} does not match the expected ${options.sha256}`, url, false);
    }
    fs.renameSync(tmp, dest);
    return { bytes: received, sha256: digest };
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    if (err instanceof DownloadError) throw err;
    throw new DownloadError(`download of ${url} failed after ${received} bytes (${networkReason(err)})`, url, false, { cause: err });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
