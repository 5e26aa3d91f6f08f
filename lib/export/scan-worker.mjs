// Worker thread of the two-thread file scan (see parallel-scan.ts). Plain JavaScript so that it
// can load the TypeScript sources through tsx, like bin/pairwise.mjs.
import { register } from 'tsx/esm/api';

register();
const { runScanWorker } = await import('./parallel-scan.ts');
await runScanWorker();
