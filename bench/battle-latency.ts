/**
 * Battle latency benchmark (`npx tsx bench/battle-latency.ts [--battles N] [--concurrent N] [--build]`).
 *
 * 1. The app's own added latency: in Chromium, from the click on "Send" to the first streamed
 *    token painted on screen, minus the provider's own time to first token as the stub measured
 *    it (request received → first content chunk sent). Median and p90 over N battles.
 * 2. N battles at once through the HTTP API (create + stream + vote), all against the stub:
 *    each must finish without an error; prints the wall time.
 *
 * The provider is the local OpenAI-compatible stub with a fixed first-token delay, so whatever
 * remains is the app: routing, pairing, SQLite writes, the AI SDK client, NDJSON, React, paint.
 * Runs the built app (`next build` first when there is no build, or with --build).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { ROOT, startApp, type AppServer } from '../e2e/fixtures/app-server';
import { startOpenAIStub, type OpenAIStub, type StubRequestLog } from '../e2e/fixtures/openai-stub';

const FIRST_TOKEN_DELAY_MS = 150;
const TARGET_MEDIAN_MS = 50;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer`);
  return n;
}

const BATTLES = flag('--battles', 30);
const WARMUP = 3;
const CONCURRENT = flag('--concurrent', 20);

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p90: quantile(s, 0.9), min: s[0], max: s.at(-1)! };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

function ensureBuild() {
  const built = fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'));
  if (built && !process.argv.includes('--build')) return;
  console.log('building the app (next build)…');
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('next build failed');
}

function registry(stub: OpenAIStub) {
  return {
    settings: { maxTurns: 5 },
    models: [1, 2].map((n) => ({
      id: `bench-${n}`,
      name: `Bench ${n}`,
      provider: { kind: 'openai-compatible', baseURL: stub.url, model: `stub-echo:words=${20 + n}` },
      defaults: { maxTokens: 200 },
    })),
  };
}

const chatRequests = (stub: OpenAIStub) => stub.requests.filter((r) => r.path === '/v1/chat/completions');

/**
 * Arms the page to time the next click on Send and the first painted token. Kept as source text:
 * tsx would otherwise wrap the functions in helpers that do not exist inside the page.
 */
const ARM_TIMERS = `(() => {
  const bench = (window.__bench = {});
  const send = document.querySelector('[data-testid="send-button"]');
  send.addEventListener('click', () => { bench.click = performance.now(); }, { capture: true, once: true });
  const hasToken = () =>
    [...document.querySelectorAll('[data-testid^="response-"] .answer .markdown')].some(
      (el) => (el.textContent || '').trim().length > 0,
    );
  const observer = new MutationObserver(() => {
    if (bench.dom !== undefined || bench.click === undefined || !hasToken()) return;
    bench.dom = performance.now();
    observer.disconnect();
    // The frame that shows the token: after the next animation frame's style, layout and paint.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { bench.paint = performance.now(); };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

async function armTimers(page: Page) {
  await page.evaluate(ARM_TIMERS);
}

async function measureLatency(app: AppServer, stub: OpenAIStub) {
  const executablePath = fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(`${app.url}/`);
  await page.getByTestId('prompt-input').waitFor();

  const added: number[] = [];
  const addedDom: number[] = [];
  const clickToScreen: number[] = [];
  const providerTtft: number[] = [];
  const beforeProvider: number[] = [];
  const afterProvider: number[] = [];
  const clickToFetch: number[] = [];
  const fetchToHeaders: number[] = [];
  const chunkToParsed: number[] = [];
  const parsedToDom: number[] = [];
  for (let i = 0; i < WARMUP + BATTLES; i++) {
    if (i > 0) {
      await page.getByTestId('new-battle').click();
      await page.locator('.arena[data-phase="idle"]').waitFor();
    }
    await page.getByTestId('prompt-input').fill(`Benchmark prompt number ${i}: say something.`);
    const before = chatRequests(stub).length;
    await armTimers(page);
    await page.getByTestId('send-button').click();
    await page.locator('.arena[data-phase="ready"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction('window.__bench.paint !== undefined');
    const t = (await page.evaluate('window.__bench')) as { click: number; dom: number; paint: number };
    // Epoch times on both sides (same machine clock) split the added latency in two.
    const origin = (await page.evaluate('performance.timeOrigin')) as number;
    const timing = (await page.evaluate(`(() => {
      const e = performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname === '/api/battles').at(-1);
      const mark = performance.getEntriesByName('battle:first-delta').at(-1);
      return e ? { fetchStart: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, delta: mark ? mark.startTime : null } : null;
    })()`)) as { fetchStart: number; requestStart: number; responseStart: number; delta: number | null } | null;
    await page.evaluate('performance.clearResourceTimings(); performance.clearMarks()');
    const reqs: StubRequestLog[] = chatRequests(stub).slice(before);
    if (reqs.length !== 2 || reqs.some((r) => r.firstChunkAt === undefined)) throw new Error(`battle ${i}: expected two streamed requests`);
    // The token on screen first is the one whose chunk left the stub first.
    const first = reqs.reduce((a, b) => (a.firstChunkAt! <= b.firstChunkAt! ? a : b));
    const provider = first.firstChunkAt! - first.receivedAt;
    if (i < WARMUP) continue;
    providerTtft.push(provider);
    clickToScreen.push(t.paint - t.click);
    added.push(t.paint - t.click - provider);
    addedDom.push(t.dom - t.click - provider);
    beforeProvider.push(Math.min(...reqs.map((r) => r.receivedAt)) - (origin + t.click));
    afterProvider.push(origin + t.paint - first.firstChunkAt!);
    if (timing) {
      clickToFetch.push(timing.fetchStart - t.click);
      fetchToHeaders.push(timing.responseStart - timing.fetchStart);
      if (timing.delta !== null) {
        chunkToParsed.push(origin + timing.delta - first.firstChunkAt!);
        parsedToDom.push(t.dom - timing.delta);
      }
    }
  }
  await browser.close();
  return {
    added: summary(added),
    addedDom: summary(addedDom),
    clickToScreen: summary(clickToScreen),
    providerTtft: summary(providerTtft),
    beforeProvider: summary(beforeProvider),
    afterProvider: summary(afterProvider),
    clickToFetch: summary(clickToFetch),
    fetchToHeaders: summary(fetchToHeaders),
    chunkToParsed: summary(chunkToParsed),
    parsedToDom: summary(parsedToDom),
  };
}

interface ApiBattleResult {
  ok: boolean;
  error?: string;
  ms: number;
}

/** One battle as a client would fight it: create and stream turn 1, then vote. */
async function apiBattle(baseUrl: string, n: number): Promise<ApiBattleResult> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/api/battles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: `Concurrent battle ${n}: tell me a fact.` }),
    });
    if (!res.ok || !res.body) throw new Error(`create: HTTP ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    const text = await res.text();
    const events = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { type: string; battleId?: string; canVote?: boolean; message?: string });
    const battleId = events.find((e) => e.type === 'battle')?.battleId;
    const errors = events.filter((e) => e.type === 'error');
    const end = events.at(-1);
    if (!battleId) throw new Error('no battle line');
    if (errors.length) throw new Error(`side error: ${errors.map((e) => e.message).join('; ')}`);
    if (end?.type !== 'end' || !end.canVote) throw new Error(`stream ended without a votable end line: ${JSON.stringify(end)}`);
    if (events.filter((e) => e.type === 'done').length !== 2) throw new Error('expected two done lines');
    const vote = await fetch(`${baseUrl}/api/battles/${battleId}/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ winner: n % 2 ? 'model_a' : 'tie' }),
    });
    if (vote.status !== 200) throw new Error(`vote: HTTP ${vote.status} ${await vote.text()}`);
    return { ok: true, ms: performance.now() - started };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), ms: performance.now() - started };
  }
}

async function main() {
  ensureBuild();
  const stub = await startOpenAIStub({ firstTokenDelayMs: FIRST_TOKEN_DELAY_MS, chunkDelayMs: 2 });
  const app = await startApp({ registry: registry(stub) });
  let failed = false;
  try {
    console.log(`stub: first token after ${FIRST_TOKEN_DELAY_MS} ms, then a chunk every 2 ms`);

    const latency = await measureLatency(app, stub);
    console.log(`\nSend → first token on screen, ${BATTLES} battles in Chromium (after ${WARMUP} warm-up):`);
    console.log(`  click → painted token        median ${ms(latency.clickToScreen.median)}  p90 ${ms(latency.clickToScreen.p90)}`);
    console.log(`  provider's own first token   median ${ms(latency.providerTtft.median)}  p90 ${ms(latency.providerTtft.p90)}`);
    console.log(
      `  app's added latency (paint)  median ${ms(latency.added.median)}  p90 ${ms(latency.added.p90)}  ` +
        `min ${ms(latency.added.min)}  max ${ms(latency.added.max)}  (target median < ${TARGET_MEDIAN_MS} ms: ` +
        `${latency.added.median < TARGET_MEDIAN_MS ? 'met' : 'MISSED'})`,
    );
    console.log(`  app's added latency (DOM)    median ${ms(latency.addedDom.median)}  p90 ${ms(latency.addedDom.p90)}`);
    console.log(`    of which click → request at the provider   median ${ms(latency.beforeProvider.median)}  p90 ${ms(latency.beforeProvider.p90)}`);
    console.log(`    of which first chunk sent → painted        median ${ms(latency.afterProvider.median)}  p90 ${ms(latency.afterProvider.p90)}`);
    console.log(
      `  (medians: click → fetch() ${ms(latency.clickToFetch.median)}; fetch() → response headers ${ms(latency.fetchToHeaders.median)}; ` +
        `chunk sent → delta parsed in the page ${ms(latency.chunkToParsed.median)}; parsed → in the DOM ${ms(latency.parsedToDom.median)})`,
    );

    const started = performance.now();
    const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, n) => apiBattle(app.url, n)));
    const wall = performance.now() - started;
    const ok = results.filter((r) => r.ok);
    const per = summary(results.map((r) => r.ms));
    console.log(`\n${CONCURRENT} concurrent battles through the HTTP API (create + stream + vote):`);
    console.log(`  completed without error      ${ok.length} / ${CONCURRENT}`);
    console.log(`  wall time                    ${ms(wall)}`);
    console.log(`  per battle                   median ${ms(per.median)}  p90 ${ms(per.p90)}  max ${ms(per.max)}`);
    for (const r of results.filter((x) => !x.ok)) console.log(`  error: ${r.error}`);
    const health = await fetch(`${app.url}/api/health`);
    console.log(`  server healthy afterwards    ${health.ok ? 'yes' : `no (HTTP ${health.status})`}`);
    failed = ok.length !== CONCURRENT || !health.ok;
  } finally {
    await app.stop();
    await stub.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
