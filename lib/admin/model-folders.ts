import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { DATA_PREFIX } from '../registry/resolve-paths';
import type { ModelEntry } from '../registry/schema';
import { sharedDataCandidates } from '../shared-data';

/**
 * Where files named in the console may lie. An admin types paths for GGUF files and recorded
 * answer sets; without a fence the "test connection" button (which reads the file and shows a
 * sample) would read any file the server can. Paths must resolve, symbolic links followed, inside
 * one of the model folders (PAIRWISE_MODEL_DIRS, path-separated, default ./models) or, written as
 * "@data/...", inside the reference data folder. The registry file itself is not fenced: whoever
 * edits it already has the server's files.
 */

export interface ModelFolders {
  /** Absolute model folders, as configured (relative ones against the app's root). */
  dirs: string[];
  /** Reference data folders "@data/" may point into. */
  dataDirs: string[];
  root: string;
}

export function modelFolders(configured: string | undefined, root: string): ModelFolders {
  const list = (configured ?? '')
    .split(path.delimiter)
    .map((d) => d.trim())
    .filter(Boolean);
  const dirs = (list.length ? list : ['models']).map((d) => path.resolve(root, d));
  return { dirs, dataDirs: sharedDataCandidates(root), root };
}

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

type Kind = 'file' | 'folder';

function refuse(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`);
}

function checkKind(field: string, real: string, kind: Kind): void {
  const stat = fs.statSync(real);
  if (kind === 'file' && !stat.isFile()) throw refuse(field, 'is not a file.');
  if (kind === 'folder' && !stat.isDirectory()) throw refuse(field, 'is not a folder.');
}

/** The real path of `abs` if it lies (lexically, then with links followed) inside one of `bases`. */
function confineTo(field: string, abs: string, bases: string[], kind: Kind, describe: string): string {
  const lexical = bases.filter((b) => isInside(abs, b));
  if (lexical.length === 0) throw refuse(field, `must lie inside ${describe}.`);
  const real = realOrNull(abs);
  if (real === null) throw refuse(field, `${abs} does not exist.`);
  const realBases = lexical.map(realOrNull).filter((b): b is string => b !== null);
  if (!realBases.some((b) => isInside(real, b))) throw refuse(field, `resolves (through a symbolic link) outside ${describe}.`);
  checkKind(field, real, kind);
  return real;
}

function dataRelative(field: string, input: string): string {
  const rel = input.slice(DATA_PREFIX.length).replace(/\\/g, '/');
  const normal = path.posix.normalize(rel).replace(/\/+$/, '');
  if (!rel || path.posix.isAbsolute(rel) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw refuse(field, `"${input}" leaves the reference data folder.`);
  }
  return normal;
}

/**
 * Checks one path typed in the console and returns the form to store: "@data/<relative>" for the
 * reference data, else the real absolute path. `base` is what a relative path is relative to
 * (default the first model folder).
 */
export function confinePath(input: string, folders: ModelFolders, opts: { field: string; kind: Kind; base?: string }): string {
  const { field, kind } = opts;
  const text = input.trim();
  if (!text) throw refuse(field, 'is empty.');
  if (text.includes('\0')) throw refuse(field, 'is not a valid path.');
  const describe = `the model folders (${folders.dirs.join(path.delimiter)}; set PAIRWISE_MODEL_DIRS) or the reference data (${DATA_PREFIX}...)`;
  if (text.startsWith(DATA_PREFIX)) {
    const rel = dataRelative(field, text);
    const existing = folders.dataDirs.filter((d) => fs.existsSync(path.join(d, rel)));
    if (existing.length === 0) throw refuse(field, `reference data "${rel}" was not found (npm run fetch-data, or PAIRWISE_DATA_DIR).`);
    confineTo(field, path.join(existing[0], rel), [existing[0]], kind, 'the reference data folder');
    return `${DATA_PREFIX}${rel}`;
  }
  const abs = path.resolve(opts.base ?? folders.dirs[0], text);
  return confineTo(field, abs, [...folders.dirs, ...folders.dataDirs], kind, describe);
}

/** Where a stored "@data/" path or absolute path is on disk (for an answers file beside its set). */
function onDisk(stored: string, folders: ModelFolders): string {
  if (!stored.startsWith(DATA_PREFIX)) return stored;
  const rel = stored.slice(DATA_PREFIX.length);
  const dir = folders.dataDirs.find((d) => fs.existsSync(path.join(d, rel))) ?? folders.dataDirs[0];
  return fs.realpathSync(path.join(dir, rel));
}

/**
 * The entry with every file path confined and in stored form. A path left as it was stored (an
 * entry from the registry file whose other fields are being edited) is kept without a check: the
 * fence is for paths typed in the console.
 */
export function confineEntryPaths(entry: ModelEntry, folders: ModelFolders, previous?: ModelEntry | null): ModelEntry {
  const p = entry.provider;
  const before = previous?.provider.kind === p.kind ? previous.provider : null;
  if (p.kind === 'gguf') {
    const kept = before?.kind === 'gguf' && before.path === p.path;
    return kept ? entry : { ...entry, provider: { ...p, path: confinePath(p.path, folders, { field: 'provider.path', kind: 'file' }) } };
  }
  if (p.kind === 'recorded') {
    const keptSet = before?.kind === 'recorded' && before.set === p.set;
    const set = keptSet ? p.set : confinePath(p.set, folders, { field: 'provider.set', kind: 'folder' });
    const keptAnswers = keptSet && before?.kind === 'recorded' && before.answers === p.answers;
    if (keptAnswers) return { ...entry, provider: { ...p, set } };
    const setDir = onDisk(set, folders);
    // The answers file is named relative to its set unless it says otherwise (as in the registry file).
    const answersInput = p.answers.startsWith(DATA_PREFIX) || path.isAbsolute(p.answers) ? p.answers : path.join(setDir, p.answers);
    const real = confinePath(answersInput, folders, { field: 'provider.answers', kind: 'file', base: setDir });
    const relToSet = path.relative(setDir, real.startsWith(DATA_PREFIX) ? onDisk(real, folders) : real);
    const answers = !relToSet.startsWith('..') && !path.isAbsolute(relToSet) ? relToSet.split(path.sep).join('/') : real;
    return { ...entry, provider: { ...p, set, answers } };
  }
  return entry;
}

export interface ModelFileChoices {
  gguf: string[];
  recordedSets: { set: string; answers: string[] }[];
}

const MAX_DEPTH = 4;
const MAX_ENTRIES = 400;

/** GGUF files and recorded sets found in the allowed folders, for the form's suggestions. */
export function listModelFiles(folders: ModelFolders): ModelFileChoices {
  const gguf: string[] = [];
  const recordedSets: ModelFileChoices['recordedSets'] = [];
  let seen = 0;
  const walk = (dir: string, shown: (p: string) => string, depth: number) => {
    if (depth > MAX_DEPTH || seen > MAX_ENTRIES) return;
    let items: fs.Dirent[];
    try {
      items = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (items.some((i) => i.name === 'question.jsonl')) {
      const answersDir = path.join(dir, 'answers');
      const answers = (fs.existsSync(answersDir) ? fs.readdirSync(answersDir).map((f) => `answers/${f}`) : items.map((i) => i.name))
        .filter((f) => f.endsWith('.jsonl') && !f.endsWith('question.jsonl'))
        .sort();
      recordedSets.push({ set: shown(dir), answers });
    }
    for (const item of items) {
      if (++seen > MAX_ENTRIES) return;
      if (item.name.startsWith('.')) continue;
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full, shown, depth + 1);
      else if (item.isFile() && item.name.endsWith('.gguf')) gguf.push(shown(full));
    }
  };
  for (const d of folders.dirs) walk(d, (p) => p, 0);
  const data = folders.dataDirs.find((d) => fs.existsSync(d));
  if (data) walk(data, (p) => `${DATA_PREFIX}${path.relative(data, p).split(path.sep).join('/')}`, 0);
  return { gguf: gguf.sort(), recordedSets };
}
