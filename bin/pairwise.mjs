#!/usr/bin/env node
// Entry point of the `pairwise` command. The tool is written in TypeScript and shares lib/ with
// the server; tsx compiles it on the fly so there is no separate build step for the CLI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.PAIRWISE_ROOT ??= root;
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
