'use client';

import { useState } from 'react';

/**
 * Shown instead of the arena when no model is usable. Loaded as its own chunk only when needed,
 * so the examples below never travel with a normal battle page.
 */

const OPENAI_REGISTRY = `{
  "models": [
    {
      "id": "gpt-4o-mini",
      "name": "GPT-4o mini",
      "organization": "OpenAI",
      "provider": {
        "kind": "openai-compatible",
        "baseURL": "https://api.openai.com/v1",
        "model": "gpt-4o-mini",
        "apiKeyEnv": "OPENAI_API_KEY"
      }
    }
  ]
}`;

const OPENAI_SHELL = `export OPENAI_API_KEY=sk-...        # the key stays in the environment
MODELS_FILE=./models.json npm start`;

const OLLAMA_SHELL = `ollama pull llama3.2:1b
ollama pull qwen2.5:0.5b
npm start          # models of a local Ollama server are found by themselves`;

const GGUF_SHELL = `mkdir -p models
cp ~/Downloads/*.gguf models/
npm start          # every .gguf file in ./models becomes a model`;

const DOWNLOAD_SHELL = `npx pairwise download-models   # a small starter pair of instruct models
npm start`;

export default function EmptyState({ onRetry }: { onRetry: () => void }) {
  return (
    <section className="empty-state" aria-labelledby="empty-title" data-testid="empty-state">
      <div className="empty-head">
        <span className="brand-mark brand-mark-lg" aria-hidden="true">
          <span>A</span>
          <span>B</span>
        </span>
        <div>
          <h1 id="empty-title">No models yet</h1>
          <p>
            A battle needs at least two models. Add them in one of the ways below, then restart Pairwise
            and reload this page. Models from different sources can be mixed in one registry file.
          </p>
        </div>
      </div>

      <div className="empty-grid">
        <Recipe title="An API key (OpenAI or any OpenAI-compatible service)">
          <p>
            Describe each model in <code>models.json</code>. The file names the environment variable
            that holds the key; the key itself never goes in the file.
          </p>
          <Snippet label="models.json" code={OPENAI_REGISTRY} />
          <Snippet label="shell" code={OPENAI_SHELL} />
        </Recipe>
        <Recipe title="Ollama on this machine">
          <p>
            With no registry file, Pairwise lists the models of an Ollama server on
            <code> localhost:11434</code>.
          </p>
          <Snippet label="shell" code={OLLAMA_SHELL} />
        </Recipe>
        <Recipe title="A GGUF file">
          <p>
            Local models run inside Pairwise on the CPU. With no registry file, each file in{' '}
            <code>./models</code> is a model.
          </p>
          <Snippet label="shell" code={GGUF_SHELL} />
        </Recipe>
        <Recipe title="Download a starter pair">
          <p>Two small instruct models, fetched with a progress bar.</p>
          <Snippet label="shell" code={DOWNLOAD_SHELL} />
        </Recipe>
      </div>

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
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}
