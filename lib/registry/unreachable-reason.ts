import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelEntry } from './schema';

/**
 * Why a model cannot be used, in words an operator can act on: the missing file, the unset key
 * variable, the endpoint that does not answer; null when nothing is wrong. It checks what the
 * providers' health checks check, with probes of its own, so it never touches their caches. For
 * the server log only: these sentences name files, endpoints and variables, which a voter must
 * never see.
 */
export async function unreachableReason(
  entry: ModelEntry,
  options: { env?: Record<string, string | undefined>; timeoutMs?: number; loadError?: unknown } = {},
): Promise<string | null> {
  const env = options.env ?? process.env;
  const p = entry.provider;
  switch (p.kind) {
    case 'gguf':
      return (
        (await fileProblem(p.path, (head) => (head.toString('latin1', 0, 4) === 'GGUF' ? null : 'not a GGUF file'))) ??
        (options.loadError ? `it failed to load (${errorText(options.loadError)})` : null)
      );
    case 'recorded':
      return (await fileProblem(path.join(p.set, 'question.jsonl'))) ?? (await fileProblem(p.answers));
    case 'openai-compatible':
    case 'openai':
    case 'anthropic':
    case 'google': {
      if (p.apiKeyEnv && !env[p.apiKeyEnv]?.trim()) return `the environment variable ${p.apiKeyEnv} (its API key) is not set`;
      if (p.kind !== 'openai-compatible') return null;
      return endpointProblem(p.baseURL, p.apiKeyEnv ? env[p.apiKeyEnv]?.trim() : undefined, options.timeoutMs ?? 2_000);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function fileProblem(file: string, check?: (head: Buffer) => string | null): Promise<string | null> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      if (!check) return null;
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
      const problem = check(buffer.subarray(0, bytesRead));
      return problem ? `${problem}: ${file}` : null;
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `file not found: ${file}`;
    if (code === 'EACCES') return `no permission to read ${file}`;
    if (code === 'EISDIR') return `a folder, not a file: ${file}`;
    return `cannot read ${file} (${code ?? String(err)})`;
  }
}

/** GET {baseURL}/models, as the provider's probe does: a server without that route (404, 405) is up. */
async function endpointProblem(baseURL: string, apiKey: string | undefined, timeoutMs: number): Promise<string | null> {
  const url = `${baseURL.replace(/\/+$/, '')}/models`;
  try {
    const res = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status === 401 || res.status === 403) return `${url} refused the API key (HTTP ${res.status})`;
    if (!res.ok && res.status !== 404 && res.status !== 405) return `${url} answered HTTP ${res.status}`;
    return null;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return `no answer from ${baseURL} within ${timeoutMs / 1000} s`;
    const code = e.cause?.code;
    if (code === 'ECONNREFUSED') return `nothing is listening at ${baseURL} (connection refused)`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${baseURL} is not known (DNS)`;
    // fetch says only "fetch failed"; the cause says why (e.g. "bad port" for ports browsers block).
    return `cannot reach ${baseURL} (${code ?? e.cause?.message ?? e.message})`;
  }
}
