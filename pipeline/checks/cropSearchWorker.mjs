// Entry of the crop search workers: a worker thread inherits a TypeScript loader only from a parent started with
// `node --import tsx` (Node 24; never on Node 20), not from vitest's or Next's, so it loads the worker through tsx's scoped import.
import { tsImport } from 'tsx/esm/api';

await tsImport('./cropSearchWorker.ts', import.meta.url);
