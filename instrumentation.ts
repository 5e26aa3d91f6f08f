/**
 * Start-up: load the model registry and open the store (running its migrations) before the server
 * takes requests. A bad registry file or database stops the process with the loader's message,
 * which names the file, the entry and the field, instead of serving a broken arena.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getAppContext } = await import('./lib/app-context');
  try {
    const ctx = await getAppContext();
    const usable = ctx.registry.models.filter((m) => m.enabled).length;
    console.log(`[pairwise] registry: ${ctx.registry.source} (${usable} enabled model${usable === 1 ? '' : 's'})`);
  } catch (err) {
    console.error(`\n[pairwise] cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    // Next.js logs a failed register() and may keep serving; an arena without its registry must not.
    process.exit(1);
  }
}
