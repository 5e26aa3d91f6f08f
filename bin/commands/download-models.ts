import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { DownloadError, downloadFile } from '../../lib/registry/download-file';
import { parseFlags, usageLine, UsageError, zodUsage } from '../args';

export const summary = 'Download a small starter pair of instruct GGUF models into ./models';

interface StarterModel {
  id: string;
  name: string;
  organization: string;
  license: string;
  /** Hugging Face repository and file. */
  repo: string;
  file: string;
  approxMB: number;
}

/** Two small instruct models that run on a laptop CPU and carry their own chat templates. */
export const STARTER_MODELS: StarterModel[] = [
  {
    id: 'qwen2.5-0.5b-instruct',
    name: 'Qwen2.5 0.5B Instruct (Q4_K_M)',
    organization: 'Alibaba Cloud (Qwen)',
    license: 'Apache-2.0',
    repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    approxMB: 490,
  },
  {
    id: 'smollm2-360m-instruct',
    name: 'SmolLM2 360M Instruct (Q4_K_M)',
    organization: 'Hugging Face',
    license: 'Apache-2.0',
    repo: 'bartowski/SmolLM2-360M-Instruct-GGUF',
    file: 'SmolLM2-360M-Instruct-Q4_K_M.gguf',
    approxMB: 270,
  },
];

/** HF_ENDPOINT is Hugging Face's own variable for a mirror; the public site otherwise. */
function modelUrl(m: StarterModel, env = process.env): string {
  const endpoint = (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  return `${endpoint}/${m.repo}/resolve/main/${m.file}`;
}

const HELP = `Usage: pairwise download-models [--dir DIR] [--force]

Downloads ${STARTER_MODELS.length} small instruct models (GGUF, about ${STARTER_MODELS.reduce((n, m) => n + m.approxMB, 0)} MB in all) from Hugging Face:
${STARTER_MODELS.map((m) => `  ${m.file}`).join('\n')}

  --dir DIR   where to put them (default: ./models, which the default registry scans)
  --force     download again even if a file is already there
  --help      show this text

Afterwards it prints the entries to paste into the "models" array of your models.json.
Set HF_ENDPOINT to download through a Hugging Face mirror.`;

const flagsSchema = z.object({ dir: z.string().min(1, 'needs a folder').default('models'), force: z.boolean().default(false) });

const OPTIONS = {
  dir: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const isGguf = (head: Buffer) => (head.subarray(0, 4).toString('latin1') === 'GGUF' ? null : 'this is not a GGUF file');

/** Registry entries for the downloaded files, with paths as the registry file will see them. */
export function registrySnippet(dir: string, registryDir = process.cwd()): string {
  const entries = STARTER_MODELS.map((m) => ({
    id: m.id,
    name: m.name,
    organization: m.organization,
    license: m.license,
    provider: {
      kind: 'gguf',
      path: path.relative(registryDir, path.join(dir, m.file)) || m.file,
      promptFormat: 'chat',
      contextSize: 4096,
      threads: 2,
      maxConcurrent: 1,
    },
    defaults: { temperature: 0.7, maxTokens: 512 },
  }));
  return entries.map((e) => JSON.stringify(e, null, 2)).join(',\n');
}

export async function run(argv: string[]): Promise<number> {
  let flags: z.infer<typeof flagsSchema>;
  try {
    const { values } = parseFlags(argv, OPTIONS);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const parsed = flagsSchema.safeParse(values);
    if (!parsed.success) throw zodUsage(parsed.error);
    flags = parsed.data;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('download-models', err.message));
    return 2;
  }
  const dir = path.resolve(flags.dir);
  const todo = STARTER_MODELS.filter((m) => flags.force || !fs.existsSync(path.join(dir, m.file)));
  for (const m of STARTER_MODELS.filter((x) => !todo.includes(x))) console.log(`${m.file}: already in ${dir}`);

  const bars = new cliProgress.MultiBar(
    {
      format: ' {bar} {percentage}% | {file} | {done}/{size} MB',
      hideCursor: true,
      clearOnComplete: false,
      // Without a terminal (CI logs) print nothing per tick; the summary lines below still appear.
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  try {
    for (const m of todo) {
      if (!process.stderr.isTTY) console.log(`Downloading ${m.file} (about ${m.approxMB} MB) ...`);
      // The bar appears once the server answers, so an unreachable host prints only the error.
      let bar: cliProgress.SingleBar | null = null;
      const result = await downloadFile(modelUrl(m), path.join(dir, m.file), {
        connectTimeoutMs: 8_000,
        checkHead: isGguf,
        onProgress: (received, total) => {
          const size = Math.round((total ?? m.approxMB * 1e6) / 1e6);
          const done = Math.round(received / 1e6);
          bar ??= bars.create(size, 0, { file: m.file, done: 0, size });
          bar.setTotal(size);
          bar.update(done, { file: m.file, done, size });
        },
      });
      (bar as cliProgress.SingleBar | null)?.stop();
      if (!process.stderr.isTTY) console.log(`  ${m.file}: ${(result.bytes / 1e6).toFixed(1)} MB, sha256 ${result.sha256}`);
    }
  } catch (err) {
    bars.stop();
    if (err instanceof DownloadError && err.unreachable) {
      console.error(
        `pairwise download-models: ${err.message}.\n` +
          `Downloading models needs internet access to ${new URL(err.url).host}, and it could not be reached from here.\n` +
          `Get the files another way and put them in ${dir}:\n` +
          STARTER_MODELS.map((m) => `  ${modelUrl(m)}`).join('\n'),
      );
    } else {
      console.error(`pairwise download-models: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 1;
  }
  bars.stop();

  console.log(`\nModels are in ${dir}.`);
  const registry = path.resolve(process.env.MODELS_FILE || 'models.json');
  if (fs.existsSync(registry)) {
    console.log(`Add these entries to the "models" array of ${registry} (paths are relative to that file), then restart the app:\n`);
    console.log(registrySnippet(dir, path.dirname(registry)));
  } else {
    console.log('There is no registry file, so the app picks up every *.gguf in ./models by itself. For a registry file,');
    console.log('put these entries in the "models" array of models.json:\n');
    console.log(registrySnippet(dir));
  }
  return 0;
}
