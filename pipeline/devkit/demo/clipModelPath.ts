// Where `npm run demo` keeps its generated CLIP test model (shared by the demo and `quarry models check`'s hint).
import path from 'node:path';

export function demoClipModelPath(dataDir: string): string {
  return path.resolve(dataDir, 'models', 'clip-demo');
}
