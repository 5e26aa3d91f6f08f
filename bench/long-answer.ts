/**
 * Long-answer benchmark (`npx tsx bench/long-answer.ts [--build]`): two 1 MB answers streamed
 * into the battle page in Chromium, from the local OpenAI-compatible stub through the built app.
 * Prints the main-thread long tasks (PerformanceObserver "longtask") from "Send" until both answers
 * are done and then while scrolling through them, for two shapes of answer: one 1 MB paragraph,
 * and 1 MB of paragraphs of 30 words. Target: no task over 200 ms. Also prints what relaying the
 * two answers cost the server: its CPU time and its resident memory (now and at its peak).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { ROOT, startApp } from '../e2e/fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from '../e2e/fixtures/openai-stub';
import { cpuMs, memoryMb } from './lib/process-stats';

const TARGET_MS = 200;
// About 10 characters a filler word: 105,000 words are a little over 1 MB.
const WORDS = 105_000;

function ensureBuild() {
  if (fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')) && !process.argv.includes('--build')) return;
  console.log('building the app (next build)…');
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('next build failed');
}

function registry(stub: OpenAIStub, shape: string) {
  return {
    settings: { maxAnswerChars: 1_200_000, timeoutMs: 300_000 },
    models: [1, 2].map((n) => ({
      id: `long-${n}`,
      name: `Long ${n}`,
      provider: { kind: 'openai-compatible', baseURL: stub.url, model: `stub-echo:words=${WORDS + n}:piece=4096${shape}` },
      defaults: { maxTokens: 32_768 },
    })),
  };
}

const OBSERVE = `(() => {
  window.__long = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); if (window.__debugLong) for (const e of list.getEntries()) console.log('long', Math.round(e.startTime), Math.round(e.duration)); })
    .observe({ type: 'longtask', buffered: false });
})()`;

async function run(stub: OpenAIStub, label: string, shape: string) {
  const app = await startApp({ registry: registry(stub, shape) });
  const executablePath = fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId('prompt-input').fill('Write a very long answer.');
    await page.evaluate(OBSERVE);
    const memBefore = memoryMb(app.pid);
    const cpuBefore = cpuMs(app.pid);
    const started = Date.now();
    await page.getByTestId('send-button').click();
    await page.locator('.arena[data-phase="ready"]').waitFor({ timeout: 300_000 });
    await page.waitForFunction(() => document.querySelectorAll('.answer-note').length === 0 || ![...document.querySelectorAll('.answer-note')].some((n) => n.textContent?.includes('Showing the rest')), null, { timeout: 120_000 });
    const doneMs = Date.now() - started;
    const serverCpu = cpuMs(app.pid).all - cpuBefore.all;
    const memAfter = memoryMb(app.pid);
    const chars = await page.evaluate(() => [...document.querySelectorAll('[data-testid^="response-"]')].map((el) => el.textContent?.length ?? 0));
    const streaming = (await page.evaluate('window.__long.splice(0)')) as number[];
    // Scroll through both answers.
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 3000);
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(300);
    const scrolling = (await page.evaluate('window.__long.splice(0)')) as number[];
    const show = (tasks: number[]) => {
      const max = tasks.length ? Math.max(...tasks) : 0;
      const blocking = tasks.reduce((s, d) => s + Math.max(0, d - 50), 0);
      return `${tasks.length} long tasks, longest ${max.toFixed(0)} ms, blocking ${blocking.toFixed(0)} ms`;
    };
    const worst = Math.max(0, ...streaming, ...scrolling);
    console.log(`${label}: answers of ${chars.map((c) => (c / 1e6).toFixed(2)).join(' and ')} M characters on the page in ${(doneMs / 1000).toFixed(1)} s`);
    console.log(
      `  server: ${(serverCpu / 1000).toFixed(2)} s of CPU for both answers (${((serverCpu * 1000) / chars.reduce((x, y) => x + y, 0)).toFixed(2)} µs per character), resident memory ${memBefore.rss.toFixed(0)} MB before, ${memAfter.rss.toFixed(0)} MB after, peak ${memAfter.peak.toFixed(0)} MB`,
    );
    console.log(`  streaming and rendering: ${show(streaming)}`);
    console.log(`  scrolling through:       ${show(scrolling)}`);
    console.log(`  longest main-thread task ${worst.toFixed(0)} ms (target < ${TARGET_MS} ms): ${worst < TARGET_MS ? 'met' : 'NOT met'}`);
    return worst < TARGET_MS;
  } finally {
    await browser.close();
    await app.stop();
  }
}

async function main() {
  ensureBuild();
  const stub = await startOpenAIStub();
  try {
    const flat = await run(stub, 'one 1 MB paragraph per side', '');
    const paras = await run(stub, '1 MB of 30-word paragraphs per side', ':paras=30');
    if (!flat || !paras) process.exitCode = 1;
  } finally {
    await stub.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
