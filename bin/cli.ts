/**
 * `pairwise <command> [flags]`. Each command lives in bin/commands/<name>.ts and exports
 * `run(argv): Promise<number>` (the exit code) and a one-line `summary`. Commands are thin:
 * they read flags with util.parseArgs and zod (bin/args.ts) and call lib/.
 */
type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  ratings: () => import('./commands/ratings'),
  import: () => import('./commands/import'),
  export: () => import('./commands/export'),
  'download-models': () => import('./commands/download-models'),
  admin: () => import('./commands/admin'),
  backup: () => import('./commands/backup'),
  'migrate-store': () => import('./commands/migrate-store'),
  study: () => import('./commands/study'),
};

async function usage(): Promise<string> {
  const lines = ['Usage: pairwise <command> [flags]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then((c) => c.summary, () => '(unavailable)');
    lines.push(`  ${name.padEnd(16)} ${summary}`);
  }
  lines.push('', 'Run `pairwise <command> --help` for its flags.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    const known = Object.keys(COMMANDS).join(', ');
    console.error(`pairwise: unknown command "${name}" (commands: ${known}; see pairwise --help)`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (err) {
    console.error(`pairwise ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.PAIRWISE_DEBUG) console.error(err);
    return 1;
  }
}
