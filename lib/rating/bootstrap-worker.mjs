// Worker thread of the parallel bootstrap (see bootstrap-threads.ts). Plain JavaScript so that
// it can load the TypeScript sources through tsx, like bin/pairwise.mjs.
import { register } from 'tsx/esm/api';

register();
const { runBootstrapWorker } = await import('./bootstrap-threads.ts');
runBootstrapWorker();
