/**
 * Reads a newline-delimited JSON body as it arrives and yields one parsed value per line.
 * Lines that are not JSON are skipped: one bad line must not cost the rest of an answer.
 */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const parsed = parseLine(line);
        if (parsed !== undefined) yield parsed;
        newline = buffer.indexOf('\n');
      }
    }
    buffer += decoder.decode();
    const last = parseLine(buffer);
    if (last !== undefined) yield last;
  } finally {
    // Cancelling (not just releasing) tells fetch we are done, so an abandoned loop closes the request.
    await reader.cancel().catch(() => undefined);
  }
}

function parseLine(line: string): unknown {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}
