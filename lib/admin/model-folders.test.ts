import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors';
import { modelEntrySchema } from '../registry/schema';
import { confineEntryPaths, confinePath, listModelFiles, modelFolders } from './model-folders';

/** The fence around files named in the console, on a real folder tree with symbolic links. */

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-folders-')));
const root = path.join(dir, 'app');
const models = path.join(root, 'models');
const data = path.join(dir, 'data');
const outside = path.join(dir, 'outside');
for (const d of [models, path.join(models, 'sub'), path.join(data, 'recorded', 'set1'), outside]) fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(path.join(models, 'a.gguf'), 'GGUF');
fs.writeFileSync(path.join(models, 'sub', 'b.gguf'), 'GGUF');
fs.writeFileSync(path.join(outside, 'secret.gguf'), 'GGUF');
fs.writeFileSync(path.join(data, 'recorded', 'set1', 'question.jsonl'), '');
fs.writeFileSync(path.join(data, 'recorded', 'set1', 'answer_x.jsonl'), '');
fs.symlinkSync(path.join(outside, 'secret.gguf'), path.join(models, 'escape.gguf'));
fs.symlinkSync(outside, path.join(models, 'outdir'));
fs.symlinkSync(path.join(models, 'a.gguf'), path.join(models, 'alias.gguf'));

process.env.PAIRWISE_DATA_DIR = data;
const folders = modelFolders(undefined, root);

afterAll(() => {
  delete process.env.PAIRWISE_DATA_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err) && err.code === 'validation_failed') return err.message;
    throw err;
  }
  throw new Error('not refused');
}

const gguf = (file: string) => ({ field: 'provider.path', kind: 'file' as const, file });

describe('confinePath', () => {
  it('defaults to ./models under the root, and reads PAIRWISE_MODEL_DIRS as a path list', () => {
    expect(folders.dirs).toEqual([models]);
    expect(modelFolders(`${outside}${path.delimiter} ${models} `, root).dirs).toEqual([outside, models]);
    expect(folders.dataDirs[0]).toBe(data);
  });

  it('accepts files inside a model folder and stores their real path', () => {
    const { field, kind } = gguf('');
    expect(confinePath('a.gguf', folders, { field, kind })).toBe(path.join(models, 'a.gguf'));
    expect(confinePath('sub/b.gguf', folders, { field, kind })).toBe(path.join(models, 'sub', 'b.gguf'));
    expect(confinePath(path.join(models, 'sub', '..', 'a.gguf'), folders, { field, kind })).toBe(path.join(models, 'a.gguf'));
    // A link that stays inside is fine, and is stored as its target.
    expect(confinePath('alias.gguf', folders, { field, kind })).toBe(path.join(models, 'a.gguf'));
  });

  it('refuses ../ escapes, absolute paths elsewhere and links that lead out, before looking at the file', () => {
    const { field, kind } = gguf('');
    expect(refusal(() => confinePath('../../outside/secret.gguf', folders, { field, kind }))).toContain('provider.path: must lie inside');
    expect(refusal(() => confinePath(path.join(outside, 'secret.gguf'), folders, { field, kind }))).toContain('must lie inside');
    expect(refusal(() => confinePath('/etc/passwd', folders, { field, kind }))).toContain('must lie inside');
    // Nothing is said about whether a file outside exists.
    expect(refusal(() => confinePath('/no/such/file.gguf', folders, { field, kind }))).toContain('must lie inside');
    expect(refusal(() => confinePath('escape.gguf', folders, { field, kind }))).toContain('symbolic link');
    expect(refusal(() => confinePath('outdir/secret.gguf', folders, { field, kind }))).toContain('symbolic link');
    expect(refusal(() => confinePath('missing.gguf', folders, { field, kind }))).toContain('does not exist');
    expect(refusal(() => confinePath('sub', folders, { field, kind }))).toContain('is not a file');
    expect(refusal(() => confinePath('a.gguf\0x', folders, { field, kind }))).toContain('not a valid path');
  });

  it('"@data/" paths stay inside the reference data folder and keep their portable form', () => {
    expect(confinePath('@data/recorded/set1', folders, { field: 'provider.set', kind: 'folder' })).toBe('@data/recorded/set1');
    expect(confinePath('@data/recorded/./set1/', folders, { field: 'provider.set', kind: 'folder' })).toBe('@data/recorded/set1');
    for (const bad of ['@data/../outside', '@data/recorded/../../outside/secret.gguf', '@data//etc/passwd', '@data/']) {
      expect(refusal(() => confinePath(bad, folders, { field: 'provider.set', kind: 'folder' })), bad).toMatch(/leaves the reference data folder/);
    }
    expect(refusal(() => confinePath('@data/nothing-here', folders, { field: 'provider.set', kind: 'folder' }))).toContain('was not found');
  });
});

describe('confineEntryPaths', () => {
  const entry = (provider: unknown) => modelEntrySchema.parse({ id: 'm', name: 'M', provider });

  it('fences both the set and the answers of a recorded model; answers stay relative to their set', () => {
    const out = confineEntryPaths(entry({ kind: 'recorded', set: '@data/recorded/set1', answers: 'answer_x.jsonl' }), folders);
    expect(out.provider).toMatchObject({ set: '@data/recorded/set1', answers: 'answer_x.jsonl' });
    const escape = entry({ kind: 'recorded', set: '@data/recorded/set1', answers: '../../../outside/secret.gguf' });
    expect(refusal(() => confineEntryPaths(escape, folders))).toContain('provider.answers: must lie inside');
  });

  it('leaves a path that was stored before unchecked (an entry from the registry file being re-weighted)', () => {
    const fromFile = entry({ kind: 'gguf', path: path.join(outside, 'secret.gguf') });
    expect(confineEntryPaths({ ...fromFile, weight: 3 }, folders, fromFile).provider).toEqual(fromFile.provider);
    // Changing it, or switching kind, is checked again.
    const moved = entry({ kind: 'gguf', path: path.join(outside, 'other.gguf') });
    expect(refusal(() => confineEntryPaths(moved, folders, fromFile))).toContain('must lie inside');
  });

  it('remote providers have no paths to check', () => {
    const remote = entry({ kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', model: 'x' });
    expect(confineEntryPaths(remote, folders)).toBe(remote);
  });
});

describe('listModelFiles', () => {
  it('lists GGUF files and recorded sets found in the allowed folders only', () => {
    const files = listModelFiles(folders);
    expect(files.gguf).toContain(path.join(models, 'a.gguf'));
    expect(files.gguf).toContain(path.join(models, 'sub', 'b.gguf'));
    expect(files.recordedSets).toEqual([{ set: '@data/recorded/set1', answers: ['answer_x.jsonl'] }]);
  });
});
