'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ModelEntry, ProviderKind } from '@/lib/registry/schema';
import type { ModelFileChoices } from '@/lib/admin/model-folders';
import type { TestResult } from '@/lib/admin/test-connection';
import { adminFetch } from './use-admin-action';
import { TestResultView } from './test-result';
import styles from './admin.module.css';

const KINDS: { kind: ProviderKind; label: string }[] = [
  { kind: 'openai-compatible', label: 'OpenAI-compatible (vLLM, Ollama, llama.cpp, LM Studio, OpenRouter, …)' },
  { kind: 'openai', label: 'OpenAI' },
  { kind: 'anthropic', label: 'Anthropic' },
  { kind: 'google', label: 'Google' },
  { kind: 'gguf', label: 'Local GGUF file (run in-process)' },
  { kind: 'recorded', label: 'Recorded answers' },
];

const DEFAULT_KEY_ENV: Partial<Record<ProviderKind, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
};

type Fields = Record<string, string>;
type Flags = { enabled: boolean; deprecated: boolean; vision: boolean };

function initialFields(entry: ModelEntry | null): Fields {
  const f: Fields = {
    id: entry?.id ?? '',
    name: entry?.name ?? '',
    organization: entry && entry.organization !== 'unknown' ? entry.organization : '',
    license: entry && entry.license !== 'unknown' ? entry.license : '',
    weight: String(entry?.weight ?? 1),
    temperature: String(entry?.defaults.temperature ?? 0.7),
    maxTokens: String(entry?.defaults.maxTokens ?? 512),
    systemPrompt: entry?.defaults.systemPrompt ?? '',
  };
  const p = entry?.provider;
  if (p && 'baseURL' in p) f.baseURL = p.baseURL ?? '';
  if (p && 'model' in p) f.model = p.model;
  if (p && 'apiKeyEnv' in p) f.apiKeyEnv = p.apiKeyEnv ?? '';
  if (p?.kind === 'gguf') {
    f.path = p.path;
    f.contextSize = String(p.contextSize);
    f.threads = String(p.threads);
    f.maxConcurrent = String(p.maxConcurrent);
    f.promptFormat = p.promptFormat;
  }
  if (p?.kind === 'recorded') {
    f.set = p.set;
    f.answers = p.answers;
    f.charsPerSecond = String(p.charsPerSecond);
  }
  return f;
}

/** A number field: left out when empty, sent as typed otherwise (the server's schema says what is wrong). */
function num(v: string | undefined): number | string | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

function text(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function buildEntry(kind: ProviderKind, f: Fields, flags: Flags): Record<string, unknown> {
  let provider: Record<string, unknown>;
  switch (kind) {
    case 'openai-compatible':
      provider = { kind, baseURL: text(f.baseURL), model: text(f.model), apiKeyEnv: text(f.apiKeyEnv) };
      break;
    case 'openai':
    case 'anthropic':
    case 'google':
      provider = { kind, model: text(f.model), baseURL: text(f.baseURL), apiKeyEnv: text(f.apiKeyEnv) };
      break;
    case 'gguf':
      provider = {
        kind,
        path: text(f.path),
        contextSize: num(f.contextSize),
        threads: num(f.threads),
        maxConcurrent: num(f.maxConcurrent),
        promptFormat: text(f.promptFormat),
      };
      break;
    case 'recorded':
      provider = { kind, set: text(f.set), answers: text(f.answers), charsPerSecond: num(f.charsPerSecond) };
      break;
  }
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return drop({
    id: text(f.id),
    name: text(f.name),
    organization: text(f.organization),
    license: text(f.license),
    provider: drop(provider),
    defaults: drop({ temperature: num(f.temperature), maxTokens: num(f.maxTokens), systemPrompt: text(f.systemPrompt) }),
    weight: num(f.weight),
    enabled: flags.enabled,
    deprecated: flags.deprecated,
    vision: flags.vision,
  });
}

export function ModelForm({ entry, files, folders }: { entry: ModelEntry | null; files: ModelFileChoices; folders: string[] }) {
  const router = useRouter();
  const editing = entry !== null;
  const [kind, setKind] = useState<ProviderKind>(entry?.provider.kind ?? 'openai-compatible');
  const [fields, setFields] = useState<Fields>(() => initialFields(entry));
  const [flags, setFlags] = useState<Flags>({ enabled: entry?.enabled ?? true, deprecated: entry?.deprecated ?? false, vision: entry?.vision ?? false });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);

  const set = (name: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setFields((f) => ({ ...f, [name]: e.target.value }));
  const input = (name: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input name={name} value={fields[name] ?? ''} onChange={set(name)} data-testid={`model-${name}`} {...props} />
  );

  const onTest = async () => {
    setTesting(true);
    setTest(null);
    setError(null);
    try {
      setTest(await adminFetch<TestResult>('/api/admin/models/test', 'POST', { entry: buildEntry(kind, fields, flags) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setTesting(false);
    }
  };

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await adminFetch('/api/admin/models', editing ? 'PUT' : 'POST', { entry: buildEntry(kind, fields, flags) });
      router.push('/admin/models');
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setSaving(false);
    }
  };

  const remote = kind === 'openai-compatible' || kind === 'openai' || kind === 'anthropic' || kind === 'google';
  return (
    <form className={`${styles.card} ${styles.form}`} onSubmit={onSubmit} data-testid="model-form">
      <label className={styles.field}>
        Provider
        <select value={kind} onChange={(e) => setKind(e.target.value as ProviderKind)} data-testid="model-kind">
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>

      <div className={styles.grid2}>
        <label className={styles.field}>
          Id <span className={styles.hint}>stable: votes and exports use it{editing ? ' (cannot change)' : ''}</span>
          {input('id', { required: true, readOnly: editing, placeholder: 'llama-3.1-8b-instruct' })}
        </label>
        <label className={styles.field}>
          Name <span className={styles.hint}>shown after the vote and on the leaderboard</span>
          {input('name', { required: true, placeholder: 'Llama 3.1 8B Instruct' })}
        </label>
        <label className={styles.field}>
          Organization
          {input('organization', { placeholder: 'unknown' })}
        </label>
        <label className={styles.field}>
          License
          {input('license', { placeholder: 'unknown' })}
        </label>
      </div>

      <fieldset className={styles.fieldset}>
        <legend>Connection</legend>
        {remote && (
          <div className={styles.grid2}>
            <label className={styles.field}>
              Model name at the endpoint
              {input('model', { required: true, placeholder: kind === 'anthropic' ? 'claude-3-5-haiku-latest' : 'gpt-4o-mini' })}
            </label>
            <label className={styles.field}>
              Base URL {kind !== 'openai-compatible' && <span className={styles.hint}>(optional)</span>}
              {input('baseURL', { required: kind === 'openai-compatible', placeholder: kind === 'openai-compatible' ? 'http://127.0.0.1:11434/v1' : 'provider default', type: 'url' })}
            </label>
            <label className={styles.field}>
              API key: environment variable name{' '}
              <span className={styles.hint}>the key itself is never stored here; set it in the server&apos;s environment</span>
              {input('apiKeyEnv', { placeholder: DEFAULT_KEY_ENV[kind] ?? 'none (no key needed)', pattern: '[A-Za-z_][A-Za-z0-9_]*', autoComplete: 'off' })}
            </label>
          </div>
        )}
        {kind === 'gguf' && (
          <>
            <label className={styles.field}>
              GGUF file <span className={styles.hint}>inside {folders.join(', ')} or @data/…</span>
              {input('path', { required: true, list: 'gguf-files', placeholder: 'models/qwen2.5-0.5b-instruct-q4_k_m.gguf' })}
              <datalist id="gguf-files">
                {files.gguf.map((f) => (
                  <option key={f} value={f} />
                ))}
              </datalist>
            </label>
            <div className={styles.grid3}>
              <label className={styles.field}>
                Context size
                {input('contextSize', { inputMode: 'numeric', placeholder: '2048' })}
              </label>
              <label className={styles.field}>
                Threads
                {input('threads', { inputMode: 'numeric', placeholder: '1' })}
              </label>
              <label className={styles.field}>
                At once
                {input('maxConcurrent', { inputMode: 'numeric', placeholder: '1' })}
              </label>
            </div>
            <label className={styles.field}>
              Prompt format
              <select value={fields.promptFormat ?? 'auto'} onChange={set('promptFormat')} data-testid="model-promptFormat">
                <option value="auto">auto (the file&apos;s chat template when it has one)</option>
                <option value="chat">chat template</option>
                <option value="plain">plain (base models without a template)</option>
              </select>
            </label>
          </>
        )}
        {kind === 'recorded' && (
          <div className={styles.grid2}>
            <label className={styles.field}>
              Prompt set folder <span className={styles.hint}>with question.jsonl</span>
              {input('set', { required: true, list: 'recorded-sets', placeholder: '@data/recorded-answers/vicuna80' })}
              <datalist id="recorded-sets">
                {files.recordedSets.map((s) => (
                  <option key={s.set} value={s.set} />
                ))}
              </datalist>
            </label>
            <label className={styles.field}>
              Answer file <span className={styles.hint}>relative to the set</span>
              {input('answers', { required: true, list: 'recorded-answers', placeholder: 'answers/gpt-4.jsonl' })}
              <datalist id="recorded-answers">
                {(files.recordedSets.find((s) => s.set === fields.set)?.answers ?? []).map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </label>
            <label className={styles.field}>
              Characters per second
              {input('charsPerSecond', { inputMode: 'numeric', placeholder: '400' })}
            </label>
          </div>
        )}
      </fieldset>

      <fieldset className={styles.fieldset}>
        <legend>Generation and sampling</legend>
        <div className={styles.grid3}>
          <label className={styles.field}>
            Temperature
            {input('temperature', { inputMode: 'decimal' })}
          </label>
          <label className={styles.field}>
            Max tokens
            {input('maxTokens', { inputMode: 'numeric' })}
          </label>
          <label className={styles.field}>
            Sampling weight <span className={styles.hint}>0: not drawn</span>
            {input('weight', { inputMode: 'decimal' })}
          </label>
        </div>
        <label className={styles.field}>
          System prompt <span className={styles.hint}>(optional)</span>
          <textarea name="systemPrompt" value={fields.systemPrompt ?? ''} onChange={set('systemPrompt')} rows={3} data-testid="model-systemPrompt" />
        </label>
        <div className={styles.actions}>
          <label className={styles.check}>
            <input type="checkbox" checked={flags.enabled} onChange={(e) => setFlags((f) => ({ ...f, enabled: e.target.checked }))} data-testid="model-enabled" />
            Enabled (takes part in new battles)
          </label>
          <label className={styles.check}>
            <input type="checkbox" checked={flags.deprecated} onChange={(e) => setFlags((f) => ({ ...f, deprecated: e.target.checked }))} data-testid="model-deprecated" />
            Deprecated (hidden on the leaderboard unless asked for)
          </label>
          <label className={styles.check}>
            <input type="checkbox" checked={flags.vision} onChange={(e) => setFlags((f) => ({ ...f, vision: e.target.checked }))} data-testid="model-vision" />
            Vision (reads images in prompts)
          </label>
        </div>
      </fieldset>

      {error && (
        <p className={styles.error} role="alert" data-testid="model-form-error">
          {error}
        </p>
      )}
      {test && <TestResultView result={test} />}
      <div className={styles.actions}>
        <button type="submit" className="button button-primary" disabled={saving} data-testid="model-save">
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add model'}
        </button>
        <button type="button" className="button button-secondary" onClick={onTest} disabled={testing} data-testid="model-test">
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="button button-ghost" onClick={() => router.push('/admin/models')}>
          Cancel
        </button>
      </div>
    </form>
  );
}
