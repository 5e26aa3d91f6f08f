'use client';

import { useState } from 'react';

/**
 * Shown instead of the arena when no model is usable. Loaded as its own chunk only when needed,
 * so the examples below never travel with a normal battle page.
 */

const OPENAI_ENTRY = `{
  "id": "gpt-4o-mini",
  "name": "GPT-4o mini",
  "organization": "OpenAI",
  "provider": {
    "kind": "openai-compatible",
    "baseURL": "https://api.openai.com/v1",
    "model": "gpt-4o-mini",
    "apiKeyEnv": "OPENAI_API_KEY"
  }
}`;

const OPENAI_SHELL = `# the key stays in the environment, never in the file
export OPENAI_API_KEY=sk-...
npm start`;

const OLLAMA_SHELL = `ollama pull llama3.2`;

const OLLAMA_ENTRY = `{
  "id": "llama3.2",
  "name": "Llama 3.2 3B",
  "organization": "Meta",
  "provider": {
    "kind": "openai-compatible",
    "baseURL": "http://127.0.0.1:11434/v1",
    "model": "llama3.2"
  }
}`;

const GGUF_ENTRY = `{
  "id": "qwen2.5-0.5b",
  "name": "Qwen2.5 0.5B Instruct",
  "organization": "Alibaba",
  "provider": {
    "kind": "gguf",
    "path": "models/qwen2.5-0.5b-instruct-q4_k_m.gguf",
    "promptFormat": "chat"
  }
}`;

const DOWNLOAD_SHELL = `# two small instruct models into ./models;
# prints the registry entries to add
npx pairwise download-models`;

export default function EmptyState({
  reason,
  configured,
  onRetry,
}: {
  reason: 'none-configured' | 'unreachable';
  configured: number;
  onRetry: () => void;
}) {
  const unreachable = reason === 'unreachable';
  return (
    <section className="empty-state" aria-labelledby="empty-title" data-testid="empty-state" data-reason={reason}>
      <div className="empty-head">
        <span className="brand-mark brand-mark-lg" aria-hidden="true">
          <span>A</span>
          <span>B</span>
        </span>
        <div>
          {unreachable ? (
            <>
              <h1 id="empty-title">The models cannot be reached right now</h1>
              <p>
                {configured === 1 ? 'One model is' : `${configured} models are`} configured, but fewer than two of them answer
                at the moment, and a battle needs two. If you run this arena, the server log names each model that cannot be
                reached and why (a missing file, an unset API key, an endpoint that does not answer). Otherwise, please try
                again later.
              </p>
            </>
          ) : (
            <>
              <h1 id="empty-title">No models yet</h1>
              <p>
                A battle needs at least two models. Add entries to the <code>models</code> array of the model registry (
                <code>models.json</code>, or the file <code>MODELS_FILE</code> names), restart Pairwise and reload this page.
                Sources can be mixed freely. With no registry file at all, every <code>.gguf</code> file in{' '}
                <code>./models</code> and every model of a local Ollama server is picked up by itself.
              </p>
            </>
          )}
        </div>
      </div>

      {unreachable ? null : (
        <div className="empty-grid">
          <Recipe title="Download a starter pair">
            <p>The quickest start: two small models that run on the CPU, fetched with a progress bar.</p>
            <Snippet label="shell" code={DOWNLOAD_SHELL} />
          </Recipe>
          <Recipe title="A GGUF file">
            <p>
              Any local <code>.gguf</code> model runs inside Pairwise. Paths are relative to the registry file.
            </p>
            <Snippet label="models.json entry" code={GGUF_ENTRY} />
          </Recipe>
          <Recipe title="Ollama">
            <p>Models served by Ollama on this machine, through its OpenAI-compatible endpoint.</p>
            <Snippet label="shell" code={OLLAMA_SHELL} />
            <Snippet label="models.json entry" code={OLLAMA_ENTRY} />
          </Recipe>
          <Recipe title="An API key (OpenAI or any OpenAI-compatible service)">
            <p>
              The entry names the environment variable that holds the key. Keys never go in the file and never reach the
              browser.
            </p>
            <Snippet label="models.json entry" code={OPENAI_ENTRY} />
            <Snippet label="shell" code={OPENAI_SHELL} />
          </Recipe>
        </div>
      )}

      <p className="empty-foot">
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Check again
        </button>
      </p>
    </section>
  );
}

function Recipe({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <article className="recipe">
      <h2>{title}</h2>
      {children}
    </article>
  );
}

function Snippet({ label, code }: { label: string; code: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* clipboard refused (insecure origin): the text is still there to select */
    }
  };
  return (
    <figure className="snippet">
      <figcaption>
        <span>{label}</span>
        <button type="button" className="copy-button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </figcaption>
      {/* Focusable, so a keyboard can scroll a snippet wider than the screen. */}
      <pre tabIndex={0}>
        <code>{code}</code>
      </pre>
    </figure>
  );
}
