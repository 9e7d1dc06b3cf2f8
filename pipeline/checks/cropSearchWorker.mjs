// Entry of the crop search workers: a worker thread does not get tsx's loader from its parent on Node 20, so it loads the TypeScript worker through tsx's scoped import.
import { tsImport } from 'tsx/esm/api';

await tsImport('./cropSearchWorker.ts', import.meta.url);
