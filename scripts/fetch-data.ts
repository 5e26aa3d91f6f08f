/**
 * `npm run fetch-data`: gets the reference data (tiny GGUF models, recorded answers, arena votes,
 * the rating oracle) from its public origin when ../shared/data is not beside the repository.
 * Every file is pinned to a commit and a sha256 (the same ones the data folders' SOURCE.md files
 * name) and lands in the cache that lib/shared-data.ts searches. Files already present with the
 * right checksum are left alone.
 *
 *   npx tsx scripts/fetch-data.ts [--dir DIR] [--check]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DownloadError, downloadFile } from '../lib/registry/download-file';
import { dataCacheDir, findSharedData } from '../lib/shared-data';

interface DataFile {
  /** Path inside the data folder. */
  path: string;
  bytes: number;
  sha256: string;
  /** Where to get it, tried in order (mirrors serve the same bytes; the checksum decides). */
  urls: string[];
}

const raw = (repo: string, commit: string, file: string) => `https://raw.githubusercontent.com/${repo}/${commit}/${file}`;

const VICUNA_BLOG = ['lm-sys/vicuna-blog-eval', '29e5d378309de4efe28a87fc0d1f1002df4a448c'] as const;
const PRD = ['bcdnlp/PRD', '35fb99e5d5c7a2f3535811f1edbe417da7563957'] as const;
const EVALICA = ['dustalov/evalica', '2ebe79e3a191875aa0c4cc295c7f1c192e24214b'] as const;
const OLLAMA = ['ollama/ollama', '87a88cc8f923eb0d8b65c45a4b31cd87b34ee5b1'] as const;
const GO_LLAMA = ['mutablelogic/go-llama', '9428194853cc7785beda105d6816c593101ff1bb'] as const;

const vicunaBlogAnswer = (model: string, bytes: number, sha256: string): DataFile => ({
  path: `recorded-answers/vicuna80/answer_${model}.jsonl`,
  bytes,
  sha256,
  urls: [raw(...VICUNA_BLOG, `eval/table/answer/answer_${model}.jsonl`), raw(...VICUNA_BLOG, `eval/table/answer_${model}.jsonl`)],
});

const evalica = (file: string, bytes: number, sha256: string): DataFile => ({
  path: `preferences/evalica-llmfao/${file}`,
  bytes,
  sha256,
  urls: [raw(...EVALICA, file)],
});

export const MANIFEST: DataFile[] = [
  {
    path: 'models/stories260K/stories260K.gguf',
    bytes: 1_185_376,
    sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
    urls: [raw(...GO_LLAMA, 'testdata/stories260K.gguf'), 'https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf'],
  },
  {
    path: 'models/llama-2-tiny-random/llama-2-tiny-random.gguf',
    bytes: 1_750_560,
    sha256: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
    urls: [
      raw(...OLLAMA, 'api/data/llama-2-tiny-random.gguf'),
      'https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/main/llama-2-tiny-random.gguf',
    ],
  },
  {
    path: 'recorded-answers/vicuna80/question.jsonl',
    bytes: 12_885,
    sha256: '590c39157bc561eadd7f03cad4be18c2b597f93029780af65f86718f39eafa87',
    urls: [raw(...VICUNA_BLOG, 'eval/table/question.jsonl')],
  },
  vicunaBlogAnswer('alpaca-13b', 57_071, '50a6a9274da00cc74e8b3a8e3e92be2ba23ed6f2bf6ae9bbcc3082424acea540'),
  vicunaBlogAnswer('bard', 112_274, '3b807061959b50b2c7cc2d278c02ce4a1608c6afe366d22613ba90be6c9a3f3f'),
  vicunaBlogAnswer('gpt35', 107_603, 'c6545739b0738eba5f9348e77f680031aec076a72ecba71b3014e7b1b0dfe099'),
  vicunaBlogAnswer('llama-13b', 76_353, 'cbe933439a8a70107761929d72731979ece34e1df0bcdba11af8817ce9975f40'),
  vicunaBlogAnswer('vicuna-13b', 131_904, 'd1a4b3a5d2e3ca90d2d55084ee25d4d90e63e65ac647bf50359da8633e16d0b8'),
  {
    path: 'recorded-answers/vicuna80/answer_claude.jsonl',
    bytes: 144_732,
    sha256: 'f697c7afb7cc87fe0e0449d3bf98ab3b0fd49d7dda9011900d3950493505e00a',
    urls: [raw(...PRD, 'data/vicuna80/generations/answer_claude.jsonl')],
  },
  {
    path: 'recorded-answers/vicuna80/answer_gpt4.jsonl',
    bytes: 178_625,
    sha256: 'facba5a7bfa628034ab93683dc060ee15d1e4a6f087dba5e67f4c81b5f72a94d',
    urls: [raw(...PRD, 'data/vicuna80/generations/answer_gpt4.jsonl')],
  },
  evalica('llmfao.csv', 498_018, '106564a4bf06f047a4662979384313c22d9b4ca901e780f9e8419f8e5581adb1'),
  evalica('llmfao-golden.csv', 18_790, 'e860654541c6e8aac859ba513f7f3458e1ac9f326a2f6895960688bb2d171145'),
  evalica('food.csv', 554, '6f63acedb355970208e66b99c408cb271adcb3db4aff55988fbf56253fa4e61e'),
  evalica('food-golden.csv', 1_122, '5194d7127885e2a1bee1880729082d9bfa7979b193b6cde0bba33dc3969cc651'),
  evalica('simple.csv', 154, 'af80f86f89c03a3253ae603ce5b1eb136882dbf96c41301491fe561c3cdb647a'),
  evalica('simple-golden.csv', 975, '0ef2db39388896bfb5548ef818ba67b00613d226adf6d365b4e6072218b5204c'),
  {
    path: 'arena-battles/chatbot-arena-20240814-pair-counts/chatbotarena_20240814.json',
    bytes: 102_901,
    sha256: '25dfb900a5f61ad87c3b4bc29d1cf9d8b1bd80fb3fe0463c68943246f21d532d',
    urls: [raw('suquark/leaderbot', '21c6b81c4582966a6a967e235030744f14432d6d', 'leaderbot/data/chatbotarena_20240814.json')],
  },
  {
    path: 'arena-battles/arena-hard-auto-battles/arena_hard_battles.jsonl',
    bytes: 141_428,
    sha256: 'afb04be6173dbcb7b70f9d626df68b475e71db4a0bbadb24c28ef2ee21da07fd',
    urls: [raw('lmarena/arena-hard-auto', '57a9881c845ff88a6eae4c0bdc9a12d44bd4e4a7', 'data/arena_hard_battles.jsonl')],
  },
];

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A copy with the right checksum, wherever lib/shared-data.ts would find it (or in `dir`). */
function present(f: DataFile, dir: string): string | null {
  for (const candidate of [path.join(dir, f.path), findSharedData(f.path)]) {
    if (candidate && fs.existsSync(candidate) && fs.statSync(candidate).size === f.bytes && sha256Of(candidate) === f.sha256) return candidate;
  }
  return null;
}

const HELP = `Usage: npm run fetch-data -- [--dir DIR] [--check]

Fetches the reference data (${MANIFEST.length} files, ${(MANIFEST.reduce((n, f) => n + f.bytes, 0) / 1e6).toFixed(1)} MB) from GitHub (and Hugging Face for
the two tiny models), pinned to commits and checked against sha256, into ${dataCacheDir()}
(the cache lib/shared-data.ts searches). Files already present with the right checksum are skipped.

  --dir DIR   put the files here instead (then set PAIRWISE_DATA_DIR=DIR)
  --check     only report which files are missing or wrong; download nothing`;

export async function main(argv: string[]): Promise<number> {
  let dir = dataCacheDir();
  let checkOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      return 0;
    } else if (a === '--check') checkOnly = true;
    else if (a === '--dir' && argv[i + 1]) dir = path.resolve(argv[++i]);
    else {
      console.error(`fetch-data: unknown flag "${a}"\n\n${HELP}`);
      return 2;
    }
  }

  const missing = MANIFEST.filter((f) => !present(f, dir));
  if (!missing.length) {
    console.log(`fetch-data: all ${MANIFEST.length} reference files are present and verified.`);
    return 0;
  }
  if (checkOnly) {
    console.log(`fetch-data: ${missing.length} of ${MANIFEST.length} files missing or wrong:\n${missing.map((f) => `  ${f.path}`).join('\n')}`);
    return 1;
  }

  console.log(`fetch-data: fetching ${missing.length} file(s) into ${dir}`);
  const failed: string[] = [];
  for (const f of missing) {
    const dest = path.join(dir, f.path);
    let done = false;
    const reasons: string[] = [];
    for (const url of f.urls) {
      try {
        await downloadFile(url, dest, { sha256: f.sha256, connectTimeoutMs: 8_000 });
        console.log(`  ok   ${f.path}`);
        done = true;
        break;
      } catch (err) {
        reasons.push(err instanceof Error ? err.message : String(err));
        if (err instanceof DownloadError && err.unreachable && f === missing[0] && url === f.urls.at(-1)) {
          // Nothing answers at all: say so now rather than trying every other file.
          console.error(
            `fetch-data: cannot download the reference data: ${reasons.join('; ')}.\n` +
              'It needs internet access to raw.githubusercontent.com (and huggingface.co for the two tiny models).\n' +
              'Alternatively copy a data folder from another checkout (it sits beside the repository as ../shared/data)\n' +
              'and point PAIRWISE_DATA_DIR at it.',
          );
          return 1;
        }
      }
    }
    if (!done) {
      failed.push(f.path);
      console.error(`  FAIL ${f.path}: ${reasons.join('; ')}`);
    }
  }
  if (failed.length) {
    console.error(`fetch-data: ${failed.length} file(s) could not be fetched; tests that need them will say so.`);
    return 1;
  }
  console.log(`fetch-data: done; the data is in ${dir}.`);
  return 0;
}

if (process.argv[1] && /fetch-data\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`fetch-data: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
