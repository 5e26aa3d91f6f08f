import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadFile } from './download-file';

// A local HTTP server stands in for the remote host (the network edge).
const body = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(200_000, 7)]);
const sha = createHash('sha256').update(body).digest('hex');
let server: http.Server;
let base: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-download-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/model.gguf') {
      res.writeHead(200, { 'content-length': body.length });
      // Several writes, so progress is reported more than once.
      for (let i = 0; i < body.length; i += 50_000) res.write(body.subarray(i, i + 50_000));
      res.end();
    } else if (req.url === '/page.html') {
      res.end('<!doctype html><html>not a model</html>');
    } else if (req.url === '/truncated') {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.from('GGUF0123456789abcdef'));
      setTimeout(() => res.destroy(), 20);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const ggufHead = (head: Buffer) => (head.subarray(0, 4).toString('latin1') === 'GGUF' ? null : 'not a GGUF file');
const leftovers = () => fs.readdirSync(dir).filter((f) => f.endsWith('.part'));

describe('downloadFile', () => {
  it('downloads to a temporary file, checks it, renames it into place and reports progress', async () => {
    const seen: number[] = [];
    const dest = path.join(dir, 'sub', 'model.gguf');
    const r = await downloadFile(`${base}/model.gguf`, dest, { sha256: sha, checkHead: ggufHead, onProgress: (n, total) => (seen.push(n), expect(total).toBe(body.length)) });
    expect(r).toEqual({ bytes: body.length, sha256: sha });
    expect(fs.readFileSync(dest).equals(body)).toBe(true);
    expect(seen.at(-1)).toBe(body.length);
    expect(seen.length).toBeGreaterThan(1);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a wrong checksum, a non-GGUF answer, an HTTP error and a cut-off body, leaving nothing behind', async () => {
    const dest = path.join(dir, 'bad.gguf');
    await expect(downloadFile(`${base}/model.gguf`, dest, { sha256: '0'.repeat(64) })).rejects.toThrow(/sha256 .* does not match/);
    await expect(downloadFile(`${base}/page.html`, dest, { checkHead: ggufHead })).rejects.toThrow(/not a GGUF file/);
    await expect(downloadFile(`${base}/missing`, dest)).rejects.toThrow(/HTTP 404/);
    await expect(downloadFile(`${base}/truncated`, dest)).rejects.toBeInstanceOf(DownloadError);
    expect(fs.existsSync(dest)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('fails fast, marked unreachable, when nothing answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const started = Date.now();
    const err = await downloadFile(`http://127.0.0.1:${port}/x`, path.join(dir, 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).unreachable).toBe(true);
    expect((err as DownloadError).message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
