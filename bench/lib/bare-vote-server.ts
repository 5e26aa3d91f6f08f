/**
 * The floor of the vote-ingest benchmark: a bare node:http server over better-sqlite3 that does
 * what a vote does to the store (the same castVote transaction, on a store of the same schema),
 * with nothing else: no Next.js, no request edge, no identity, no battle checks.
 * `tsx bench/lib/bare-vote-server.ts DB_FILE PORT`; prints "ready" when listening.
 */
import http from 'node:http';
import { openDb } from '../../db/index';
import { castVote } from '../../db/queries/votes';
import { WINNERS } from '../../lib/rating/types';

const [file, portArg] = process.argv.slice(2);
const db = openDb(file);
const winners = new Set<string>(WINNERS);

const server = http.createServer((req, res) => {
  const match = /^\/api\/battles\/([^/]+)\/vote$/.exec(req.url ?? '');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { winner?: string };
      if (!match || req.method !== 'POST' || !body.winner || !winners.has(body.winner)) return send(400, { error: 'bad request' });
      await castVote({ db, battleId: decodeURIComponent(match[1]), winner: body.winner as (typeof WINNERS)[number], voterId: null, leakReason: null });
      send(200, { ok: true });
    } catch (err) {
      send(409, { error: String(err) });
    }
  });
});
server.listen(Number(portArg), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  db.$client.close();
  process.exit(0);
});
