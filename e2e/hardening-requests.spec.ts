import net from 'node:net';
import { expect, test } from '@playwright/test';
import { NO_LIMITS, streamBattle } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore } from './fixtures/store';

/**
 * Hostile requests: malformed and truncated JSON, wrong types, huge bodies and headers, control
 * and invalid UTF-16 characters, unknown and malformed ids, wrong methods and content types,
 * parameter abuse, broken HTTP. Each must get the documented JSON error with the right status
 * (never an HTML page, an empty body, a plain-text 500 or a redirect) and leave the store as it was.
 * The store is read through queryStore, so the spec runs on either store (Postgres refuses a NUL
 * in text, so the app refuses one before any store sees it).
 */

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are (what fetch would refuse or normalise) and reads the answer. */
function raw(port: number, request: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    socket.on('data', (d) => parts.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const status = Number(head[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        let out = '';
        for (let rest = body; ; ) {
          const nl = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          out += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        body = out;
      }
      resolve({ status, headers, body });
    });
    socket.write(request);
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

let stub: OpenAIStub;
let app: AppServer;
let battleId: string;
let cookie: string;

/** Every column of the rows a request could change, on either store. */
async function storeState() {
  return {
    battles: await queryStore(app, 'SELECT * FROM battles ORDER BY id'),
    messages: await queryStore(app, 'SELECT * FROM messages ORDER BY id'),
    votes: await queryStore(app, 'SELECT * FROM votes ORDER BY id'),
    voters: await queryStore(app, 'SELECT * FROM voters ORDER BY id'),
  };
}

async function send(path: string, init: RequestInit & { cookie?: boolean } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.cookie !== false) headers.set('cookie', cookie);
  const res = await fetch(`${app.url}${path}`, { ...init, headers, redirect: 'manual' });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

const json = (path: string, body: string, extra: Record<string, string> = {}) =>
  send(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...extra } });

test.beforeAll(async ({ playwright }) => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { maxPromptChars: 200, limits: NO_LIMITS },
      models: [
        stubModel(stub, { id: 'first-model', name: 'First', model: 'stub-echo:words=5' }),
        stubModel(stub, { id: 'second-model', name: 'Second', model: 'stub-echo:words=6' }),
      ],
    },
  });
  const ctx = await playwright.request.newContext();
  ({ battleId } = await streamBattle(ctx, app.url, 'A battle that is ready for its vote'));
  cookie = (await ctx.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  await ctx.dispose();
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

type Case = [name: string, send: () => Promise<Answer>, status: number, code?: string];

function cases(): Case[] {
  const id = battleId;
  const vote = `/api/battles/${id}/vote`;
  const port = app.port;
  const host = `127.0.0.1:${port}`;
  const deep = '['.repeat(2_000) + ']'.repeat(2_000);
  return [
    // Malformed and truncated JSON.
    ['truncated object', () => json('/api/battles', '{'), 400, 'invalid_json'],
    ['truncated string', () => json('/api/battles', '{"prompt": "hi'), 400, 'invalid_json'],
    ['empty JSON body', () => json('/api/battles', ''), 400, 'invalid_json'],
    ['trailing garbage', () => json('/api/battles', '{"prompt":"hi"} x'), 400, 'invalid_json'],
    ['comment in JSON', () => json('/api/battles', '{"prompt":"hi" /* more */}'), 400, 'invalid_json'],
    ['single quotes', () => json('/api/battles', "{'prompt':'hi'}"), 400, 'invalid_json'],
    ['NaN literal', () => json('/api/battles', '{"prompt":NaN}'), 400, 'invalid_json'],
    ['bytes that are not UTF-8', () => send('/api/battles', { method: 'POST', body: Buffer.from([0x7b, 0x22, 0x70, 0x72, 0xc3, 0x28, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } }), 400, 'invalid_json'],
    ['UTF-16 body', () => send('/api/battles', { method: 'POST', body: Buffer.from('{"prompt":"hi"}', 'utf16le'), headers: { 'content-type': 'application/json; charset=utf-16' } }), 400, 'invalid_json'],
    // Wrong types and shapes.
    ['null body', () => json('/api/battles', 'null'), 400, 'validation_failed'],
    ['array body', () => json('/api/battles', '[]'), 400, 'validation_failed'],
    ['string body', () => json('/api/battles', '"Say hello"'), 400, 'validation_failed'],
    ['number prompt', () => json('/api/battles', '{"prompt":5}'), 400, 'validation_failed'],
    ['null prompt', () => json('/api/battles', '{"prompt":null}'), 400, 'validation_failed'],
    ['array prompt', () => json('/api/battles', '{"prompt":["a"]}'), 400, 'validation_failed'],
    ['operator object prompt', () => json('/api/battles', '{"prompt":{"$gt":""}}'), 400, 'validation_failed'],
    ['unknown field', () => json('/api/battles', '{"prompt":"hi","admin":true}'), 400, 'validation_failed'],
    ['__proto__ field', () => json('/api/battles', '{"prompt":"hi","__proto__":{"polluted":1}}'), 400, 'validation_failed'],
    ['empty prompt', () => json('/api/battles', '{"prompt":""}'), 400, 'validation_failed'],
    ['blank prompt', () => json('/api/battles', '{"prompt":" \\n\\t "}'), 400, 'validation_failed'],
    ['unknown mode', () => json('/api/battles', '{"prompt":"hi","mode":"debug"}'), 400, 'validation_failed'],
    ['recorded without a question', () => json('/api/battles', '{"mode":"recorded"}'), 400, 'validation_failed'],
    ['fractional question id', () => json('/api/battles', '{"mode":"recorded","questionId":-1.5}'), 400, 'validation_failed'],
    ['deeply nested body', () => json('/api/battles', deep), 400, 'validation_failed'],
    // Invalid UTF-16 (lone surrogates, escaped so they survive JSON) and control characters.
    ['lone high surrogate in the prompt', () => json('/api/battles', '{"prompt":"bad \\ud800 half"}'), 400, 'validation_failed'],
    ['lone low surrogate in the prompt', () => json('/api/battles', '{"prompt":"\\udfff"}'), 400, 'validation_failed'],
    ['reversed pair in a follow-up', () => json(`/api/battles/${id}/messages`, '{"prompt":"\\ude00\\ud83d"}'), 400, 'validation_failed'],
    ['lone surrogate in a key', () => json('/api/battles', '{"\\ud800":"x","prompt":"hi"}'), 400, 'validation_failed'],
    ['NUL in the winner', () => json(vote, '{"winner":"model_a\\u0000"}'), 400, 'validation_failed'],
    ['NUL in the prompt', () => json('/api/battles', '{"prompt":"a\\u0000b"}'), 400, 'validation_failed'],
    ['control characters in the winner', () => json(vote, '{"winner":"\\u001b[31mmodel_a"}'), 400, 'validation_failed'],
    // Sizes.
    ['prompt one character over the limit', () => json('/api/battles', JSON.stringify({ prompt: 'x'.repeat(201) })), 413, 'prompt_too_long'],
    ['prompt of astral characters over the limit', () => json('/api/battles', JSON.stringify({ prompt: '😀'.repeat(201) })), 413, 'prompt_too_long'],
    ['5 MB body', () => json('/api/battles', JSON.stringify({ prompt: 'x'.repeat(5_000_000) })), 413, 'prompt_too_long'],
    ['vote body over 4 KiB', () => json(vote, JSON.stringify({ winner: 'model_a', pad: 'x'.repeat(5000) })), 413, 'payload_too_large'],
    ['20 KB header', () => send('/api/arena', { headers: { 'x-filler': 'x'.repeat(20_000) } }), 431, 'headers_too_large'],
    ['20 KB URL', () => send(`/api/battles/${'a'.repeat(20_000)}`), 431, 'headers_too_large'],
    // Votes.
    ['unknown winner', () => json(vote, '{"winner":"model_c"}'), 400, 'validation_failed'],
    ['winner in capitals', () => json(vote, '{"winner":"MODEL_A"}'), 400, 'validation_failed'],
    ['winner as an array', () => json(vote, '{"winner":["model_a"]}'), 400, 'validation_failed'],
    ['vote without a winner', () => json(vote, '{}'), 400, 'validation_failed'],
    ['vote without a cookie', () => send(vote, { method: 'POST', body: '{"winner":"tie"}', headers: { 'content-type': 'application/json' }, cookie: false }), 404, 'not_found'],
    ['vote with a forged cookie', () => send(vote, { method: 'POST', body: '{"winner":"tie"}', headers: { 'content-type': 'application/json', cookie: 'pw_voter=00000000-0000-4000-8000-000000000000.forged' }, cookie: false }), 404, 'not_found'],
    // Unknown and malformed ids.
    ['vote on an unknown battle', () => json('/api/battles/00000000-0000-4000-8000-000000000000/vote', '{"winner":"tie"}'), 404, 'not_found'],
    ['vote on an SQL-ish id', () => json(`/api/battles/${encodeURIComponent("' OR 1=1 --")}/vote`, '{"winner":"tie"}'), 404, 'not_found'],
    ['vote on an id with NUL', () => json('/api/battles/%00/vote', '{"winner":"tie"}'), 404, 'not_found'],
    ['vote on an encoded traversal', () => json('/api/battles/..%2F..%2Fadmin/vote', '{"winner":"tie"}'), 404, 'not_found'],
    ['read a 2,000-character id', () => send(`/api/battles/${'z'.repeat(2000)}`), 404, 'not_found'],
    ['read an id of emoji', () => send(`/api/battles/${encodeURIComponent('😀😀')}`), 404, 'not_found'],
    ['follow-up to an unknown battle', () => json('/api/battles/nope/messages', '{"prompt":"more"}'), 404, 'not_found'],
    ['regenerate an unknown battle', () => json('/api/battles/nope/regenerate', '{}'), 404, 'not_found'],
    ['regenerate an encoded slash', () => json('/api/battles/%2F/regenerate', '{}'), 404, 'not_found'],
    ['follow-up with a number', () => json(`/api/battles/${id}/messages`, '{"prompt":1}'), 400, 'validation_failed'],
    // Wrong content types and cross-site requests.
    ['text/plain body', () => send('/api/battles', { method: 'POST', body: '{"prompt":"hi"}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
    ['form-encoded vote', () => send(vote, { method: 'POST', body: 'winner=model_a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type'],
    ['multipart body', () => send('/api/battles', { method: 'POST', body: '--x\r\n\r\nhi\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 415, 'unsupported_media_type'],
    ['JSON-looking type', () => send('/api/battles', { method: 'POST', body: '{"prompt":"hi"}', headers: { 'content-type': 'application/jsonx' } }), 415, 'unsupported_media_type'],
    ['cross-site origin', () => json('/api/battles', '{"prompt":"hi"}', { origin: 'https://evil.example' }), 403, 'forbidden'],
    ['cross-site fetch metadata', () => json(vote, '{"winner":"tie"}', { 'sec-fetch-site': 'cross-site' }), 403, 'forbidden'],
    ['unknown host', () => raw(port, 'GET /api/arena HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n'), 421, 'unknown_host'],
    ['rebinding host with a port', () => raw(port, `POST /api/battles HTTP/1.1\r\nHost: attacker.example:${port}\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{"prompt":"hi"}`), 421, 'unknown_host'],
    // The vote is answered by server.mjs without Next.js's router (lib/edge/direct-routes.ts): the same edge.
    ['rebinding host on a vote', () => raw(port, `POST ${vote} HTTP/1.1\r\nHost: attacker.example:${port}\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{"winner":"tie"}`), 421, 'unknown_host'],
    ['vote sent in chunks', () => raw(port, `POST ${vote} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\n{"wi\r\n5\r\nnner"\r\n0\r\n\r\n`), 400, 'invalid_json'],
    // Parameter abuse.
    ['export without an admin session or token', () => send('/api/battles/export?format=exe'), 401, 'unauthorized'],
    ['unknown leaderboard format', () => send('/api/leaderboard?format=xml'), 400, 'validation_failed'],
    ['unknown leaderboard parameter', () => send('/api/leaderboard?debug=1'), 400, 'validation_failed'],
    ['negative minVotes', () => send('/api/leaderboard?minVotes=-1'), 400, 'validation_failed'],
    ['huge minVotes', () => send('/api/leaderboard?minVotes=1e400'), 400, 'validation_failed'],
    ['NUL category', () => send('/api/leaderboard?category=%00'), 400, 'validation_failed'],
    ['bad style flag', () => send('/api/leaderboard?style=maybe'), 400, 'validation_failed'],
    // Wrong methods.
    ['GET on battle creation', () => send('/api/battles'), 405, 'method_not_allowed'],
    ['PUT on a vote', () => send(vote, { method: 'PUT', body: '{"winner":"tie"}', headers: { 'content-type': 'application/json' } }), 405, 'method_not_allowed'],
    ['DELETE a battle', () => send(`/api/battles/${id}`, { method: 'DELETE' }), 405, 'method_not_allowed'],
    ['PATCH the leaderboard', () => send('/api/leaderboard', { method: 'PATCH', body: '{}', headers: { 'content-type': 'application/json' } }), 405, 'method_not_allowed'],
    ['POST the health check', () => json('/api/health', '{}'), 405, 'method_not_allowed'],
    ['TRACE', () => raw(port, `TRACE /api/battles HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 405, 'method_not_allowed'],
    ['CONNECT', () => raw(port, `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`), 405, 'method_not_allowed'],
    ['a method HTTP does not know', () => raw(port, `BREW /api/battles HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 400, 'bad_request'],
    // Unknown and odd paths.
    ['unknown API route', () => send('/api/nope'), 404, 'not_found'],
    ['unknown API route, POST', () => json('/api/admin/reset', '{}'), 404, 'not_found'],
    ['trailing slash (no redirect)', () => send('/api/battles/'), 404, 'not_found'],
    ['double slash', () => raw(port, `GET /api//battles HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 404, 'not_found'],
    ['dot segments', () => raw(port, `GET /api/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 404, 'not_found'],
    ['extra segment', () => json(`/api/battles/${id}/vote/again`, '{"winner":"tie"}'), 404, 'not_found'],
    ['undecodable path', () => send('/api/battles/%E0%A4%A'), 400, 'bad_request'],
    ['undecodable path, POST', () => json('/api/battles/%FF/vote', '{"winner":"tie"}'), 400, 'bad_request'],
    // Broken HTTP.
    ['control character in a header', () => raw(port, `GET /api/arena HTTP/1.1\r\nHost: ${host}\r\nX-Evil: a\x01b\r\nConnection: close\r\n\r\n`), 400, 'bad_request'],
    ['both Content-Length and chunked', () => raw(port, `POST /api/battles HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`), 400, 'bad_request'],
    ['Content-Length that is not a number', () => raw(port, `POST /api/battles HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`), 400, 'bad_request'],
    ['unknown HTTP version', () => raw(port, `GET /api/arena HTTP/9.9\r\nHost: ${host}\r\n\r\n`), 400, 'bad_request'],
    ['not HTTP at all', () => raw(port, '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03'), 400, 'bad_request'],
  ];
}

test('every hostile request gets its JSON error and changes nothing', async () => {
  test.setTimeout(180_000);
  const all = cases();
  expect(all.length).toBeGreaterThanOrEqual(60);
  const before = await storeState();
  const failures: string[] = [];
  for (const [name, request, status, code] of all) {
    const answer = await request();
    let body: unknown = null;
    try {
      body = JSON.parse(answer.body);
    } catch {
      /* checked below */
    }
    const problems: string[] = [];
    if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}`);
    if (!String(answer.headers['content-type']).startsWith('application/json')) problems.push(`content-type ${answer.headers['content-type']}`);
    const shape = body as { error?: { code?: unknown; message?: unknown } } | null;
    const keys = shape && typeof shape === 'object' ? Object.keys(shape) : [];
    if (keys.join() !== 'error' || typeof shape?.error?.message !== 'string' || Object.keys(shape.error).sort().join() !== 'code,message') {
      problems.push(`body ${answer.body.slice(0, 120)}`);
    } else if (code && shape.error.code !== code) problems.push(`code ${String(shape.error.code)}, expected ${code}`);
    if (status === 405 && !answer.headers.allow && name !== 'CONNECT') problems.push('405 without Allow');
    if (answer.headers['x-content-type-options'] !== 'nosniff') problems.push('no nosniff');
    const after = await storeState();
    if (JSON.stringify(after) !== JSON.stringify(before)) problems.push('the store changed');
    if (problems.length) failures.push(`${name}: ${problems.join('; ')}`);
  }
  expect(failures).toEqual([]);
  // The server is still up and the battle still takes its one vote.
  const ok = await json(`/api/battles/${battleId}/vote`, '{"winner":"model_b"}');
  expect(ok.status, ok.body).toBe(200);
});

test('405 answers name the methods the route accepts', async () => {
  const get = await send('/api/battles');
  expect(get.headers.allow).toBe('OPTIONS, POST');
  const del = await send('/api/leaderboard', { method: 'DELETE' });
  expect(del.headers.allow).toBe('GET, HEAD, OPTIONS');
});

test('a prompt with a proper surrogate pair is stored as valid UTF-8', async ({ playwright }) => {
  const ctx = await playwright.request.newContext();
  try {
    const { battleId: id } = await streamBattle(ctx, app.url, 'Emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
    // The stored bytes, in upper-case hex: SQLite's hex() of the text as a blob, Postgres's encoding of its UTF-8.
    const bytes = app.databaseUrl ? "upper(encode(convert_to(content, 'UTF8'), 'hex'))" : 'hex(CAST(content AS BLOB))';
    const [stored] = await queryStore<{ content: string; bytes: string }>(
      app,
      `SELECT content, ${bytes} AS bytes FROM messages WHERE battle_id = ? AND role = 'user' ORDER BY id LIMIT 1`,
      [id],
    );
    expect(stored.content).toBe('Emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
    expect(Buffer.from(stored.bytes, 'hex').toString('utf8')).toBe(stored.content);
    expect(stored.bytes).not.toContain('EFBFBD');
  } finally {
    await ctx.dispose();
  }
});
