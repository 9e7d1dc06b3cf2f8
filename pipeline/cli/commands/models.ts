// `quarry models check [--dir D] [--name N]` validates a CLIP model directory and writes its manifest;
// `quarry models make-test --out D [--bad]` generates the small deterministic test model.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../../lib/env.ts';
import { clipConfig } from '../../clip/config.ts';
import { checkModelDir } from '../../clip/modelCheck.ts';
import { MANIFEST_FILE, writeManifest } from '../../clip/modelDir.ts';
import { writeTestClipModel } from '../../devkit/clip/testModel.ts';
import { demoClipModelPath } from '../../devkit/demo/clipModelPath.ts';
import { flag, parseFlags, pickSubcommand, type CommandSpec } from '../flags.ts';

const checkFlags = {
  dir: flag.string('model folder to check', {
    value: 'DIR',
    expects: 'a folder path',
    defaultText: 'CLIP_MODEL_DIR, ./models/clip',
  }),
  name: flag.string('name to record in the manifest', { value: 'NAME' }),
};
const makeTestFlags = {
  out: flag.string('folder to write the model to', {
    value: 'DIR',
    expects: 'a folder path',
    required: true,
  }),
  bad: flag.switch('write a broken model (wrong input shape), to see what `check` reports'),
};

export const spec: CommandSpec = {
  name: 'models',
  summary: 'check a CLIP model folder (and write its manifest), or generate the small test model',
  flags: {},
  subcommandRequired: true,
  subcommands: {
    check: { summary: 'validate a CLIP model folder and write its manifest', flags: checkFlags },
    'make-test': { summary: 'write the generated test model (not real CLIP weights)', flags: makeTestFlags },
  },
  notes: ['Model layout and where to get real weights: pipeline/clip/README.md.'],
};

/** Where the demo's model is, for someone whose CLIP_MODEL_DIR holds none. */
function demoHint(): string {
  const demo = demoClipModelPath(dataDir());
  const where = existsSync(demo) ? `is in ${demo}` : `is generated into ${demo} by \`npm run demo\``;
  return `The demo's model (a generated test model, not real CLIP) ${where}: check it with \`npm run quarry -- models check --dir ${demo}\`, or set CLIP_MODEL_DIR to a folder with real weights.`;
}

export async function run(args: string[]): Promise<void> {
  const { sub, rest } = pickSubcommand(spec, args);
  if (sub === 'check') {
    const flags = parseFlags(checkFlags, rest).values;
    const config = clipConfig();
    const dir = path.resolve(flags.dir ?? config.modelDir);
    const report = await checkModelDir(dir, {
      threads: config.threads,
      executionProvider: config.executionProvider,
    });
    for (const n of report.notes) console.log(n);
    if (!report.ok) {
      console.error(`Model directory ${dir} is not usable:`);
      for (const p of report.problems) console.error(`  - ${p}`);
      if (!flags.dir) console.error(demoHint());
      process.exitCode = 1;
      return;
    }
    const manifest = { ...report.manifest!, ...(flags.name ? { name: flags.name } : {}) };
    try {
      writeManifest(dir, manifest);
      console.log(`wrote ${path.join(dir, MANIFEST_FILE)}`);
    } catch (err) {
      console.warn(
        `could not write the manifest (${(err as Error).message}); runs will hash the files each time`,
      );
    }
    console.log(`OK: ${manifest.name} (hash ${manifest.hash})`);
    return;
  }
  const flags = parseFlags(makeTestFlags, rest).values;
  const out = path.resolve(flags.out);
  await writeTestClipModel(out, { imageSize: flags.bad ? 256 : undefined });
  console.log(`wrote the ${flags.bad ? 'broken ' : ''}test CLIP model to ${out}`);
}
