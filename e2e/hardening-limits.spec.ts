import net from 'node:net';
import { expect, test } from '@playwright/test';
import { deltas, NO_LIMITS, streamBattle } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore } from './fixtures/store';

/**
 * Output limits: the arena caps each side's answer, ending it with finish reason "length"; a
 * client that stops reading does not make the server hold the answer: the generation is stopped
 * and stored as aborted with the reason.
 */

let stub: OpenAIStub;
test.beforeAll(async () => {
  stub = await startOpenAIStub();
});
test.afterAll(async () => {
  await stub?.close();
});

test.describe('the answer cap', () => {
  let app: AppServer;
  test.beforeAll(async () => {
    app = await startApp({
      registry: {
        settings: { limits: NO_LIMITS, maxAnswerChars: 500 },
        models: [
          stubModel(stub, { id: 'rambler-one', name: 'Rambler One', model: 'stub-echo:words=5000', maxTokens: 20_000 }),
          stubModel(stub, { id: 'rambler-two', name: 'Rambler Two', model: 'stub-echo:words=6000:piece=7', maxTokens: 20_000 }),
        ],
      },
    });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('each side stops at maxAnswerChars with finish reason "length", and can be voted on', async ({ request }) => {
    const { battleId, events } = await streamBattle(request, app.url, 'Talk for a long time');
    for (const side of ['a', 'b'] as const) {
      expect(deltas(events, side).join('')).toHaveLength(500);
      expect(events).toContainEqual({ type: 'done', side, finishReason: 'length' });
    }
    expect(events.at(-1)).toMatchObject({ type: 'end', canVote: true });
    const stored = await queryStore(
      app,
      "SELECT length(content) AS n, finish_reason AS reason, error FROM messages WHERE battle_id = ? AND role = 'assistant' ORDER BY id",
      [battleId],
    );
    expect(stored).toEqual([
      { n: 500, reason: 'length', error: null },
      { n: 500, reason: 'length', error: null },
    ]);
    const vote = await request.post(`${app.url}/api/battles/${battleId}/vote`, { data: { winner: 'tie' } });
    expect(vote.status()).toBe(200);
  });

  test('the page says the answer stopped at the length limit', async ({ page }) => {
    await page.goto(app.url);
    await page.getByTestId('prompt-input').fill('Go on and on');
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('response-a')).toContainText('Stopped at the length limit.', { timeout: 30_000 });
    await expect(page.getByTestId('response-b')).toContainText('Stopped at the length limit.');
  });
});

test('a client that stops reading: the generation is stopped and stored as aborted', async () => {
  test.setTimeout(120_000);
  const app = await startApp({
    registry: {
      settings: { limits: NO_LIMITS, maxAnswerChars: 50_000_000, timeoutMs: 600_000 },
      models: [
        // About 16 MB each, in 8 KB pieces: far more than socket buffers hold.
        stubModel(stub, { id: 'flood-one', name: 'Flood One', model: 'stub-echo:words=2000000:piece=8192', maxTokens: 32_768 }),
        stubModel(stub, { id: 'flood-two', name: 'Flood Two', model: 'stub-echo:words=2000001:piece=8192', maxTokens: 32_768 }),
      ],
    },
  });
  const socket = net.connect(app.port, '127.0.0.1');
  try {
    const body = JSON.stringify({ prompt: 'Flood me' });
    let head = '';
    const firstBytes = new Promise<void>((resolve) => {
      socket.on('data', function onData(d) {
        head += d.toString('latin1');
        if (head.includes('"battleId"')) {
          // Stop reading: the socket's buffers fill up and stay full.
          socket.pause();
          socket.off('data', onData);
          resolve();
        }
      });
    });
    socket.write(
      `POST /api/battles HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await firstBytes;
    const battleId = /"battleId":"([^"]+)"/.exec(head)![1];
    const answers = () =>
      queryStore<{ reason: string | null; error: string | null; n: number }>(
        app,
        "SELECT finish_reason AS reason, error, length(content) AS n FROM messages WHERE battle_id = ? AND role = 'assistant' ORDER BY id",
        [battleId],
      );
    await expect.poll(async () => (await answers()).map((a) => a.reason), { timeout: 60_000 }).toEqual(['aborted', 'aborted']);
    const stored = await answers();
    expect(stored.map((a) => a.error)).toEqual(['the client stopped reading the answer', 'the client stopped reading the answer']);
    // Stopped long before the end of the answers (each about 16 MB).
    for (const a of stored) expect(a.n).toBeLessThan(12_000_000);
    // The upstream requests were cancelled.
    await expect.poll(() => stub.requests.filter((r) => r.model?.includes('piece=8192') && r.clientAborted).length).toBe(2);
  } finally {
    socket.destroy();
    await app.stop();
  }
});
