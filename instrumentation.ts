/**
 * Start-up: load the model registry and open the store (running its migrations) before the server
 * takes requests; a bad registry file stops the process with a message naming file, entry and field.
 * Node.js only: the registry, SQLite and the model runtimes do not exist in the Edge runtime.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startUp } = await import('./lib/app-context');
    await startUp();
    // Bring the stored leaderboards up to date in a worker thread (see lib/leaderboard/refresher.ts).
    // The worker is referenced here, in the server-only instrumentation bundle: the bundler
    // compiles it into a server chunk (a page bundle would also publish its source).
    const { Worker } = await import('node:worker_threads');
    const { ratingsRefresher } = await import('./lib/leaderboard/refresher');
    ratingsRefresher({
      startWorker: (workerData) => new Worker(new URL('./lib/leaderboard/rating-worker.ts', import.meta.url), { workerData }),
    });
    // Conversations older than the retention setting are forgotten (hourly; votes are kept).
    const [{ getAppContext }, { startRetention }] = await Promise.all([import('./lib/app-context'), import('./lib/account/retention')]);
    const app = await getAppContext();
    startRetention(() => app.operator().retention.conversationDays);
    // The vote, answered by server.mjs without Next.js's router (lib/edge/direct-routes.ts).
    const [{ serveDirectly }, vote] = await Promise.all([import('./lib/edge/direct-routes'), import('./app/api/battles/[id]/vote/route')]);
    serveDirectly([{ method: 'POST', path: /^\/api\/battles\/([^/]+)\/vote$/, params: ['id'], handler: vote.POST }]);
  }
}
