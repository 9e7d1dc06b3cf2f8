// Finds a CLIP model directory's files and identifies the model (name + content hash) through quarry-manifest.json.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const VISION_FILE = 'onnx/vision_model.onnx';
export const TEXT_FILE = 'onnx/text_model.onnx';
export const MANIFEST_FILE = 'quarry-manifest.json';
/** CLIP ViT-B/32's trained logit scale (exp(4.6052)); config.json's logit_scale_init_value is only the value training started from. */
export const DEFAULT_LOGIT_SCALE = 100;

const manifestSchema = z.object({
  name: z.string().min(1),
  hash: z.string().min(1),
  logitScale: z.number().positive().max(100).optional(),
  /** false when the model's embeddings say nothing about image similarity (the generated test model). */
  nearDuplicates: z.boolean().optional(),
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number().int() })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export type ModelInfo = {
  dir: string;
  name: string;
  /** Short content hash over every model file: what CheckResults record. */
  hash: string;
  logitScale: number;
  /** Whether cosine similarity of its embeddings may merge photos into duplicate clusters. */
  nearDuplicates: boolean;
  visionPath: string;
  textPath: string;
};

export class ModelNotInstalledError extends Error {
  constructor(
    readonly dir: string,
    readonly missing: string[],
  ) {
    super(`CLIP model not installed: ${dir} lacks ${missing.join(', ')} (see pipeline/clip/README.md)`);
  }
}

/** The files that identify the model, relative to its directory. */
export function modelFiles(dir: string): { files: string[]; missing: string[] } {
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  const tokenizer = has('tokenizer.json') ? ['tokenizer.json'] : ['vocab.json', 'merges.txt'];
  const wanted = [VISION_FILE, TEXT_FILE, ...tokenizer];
  const optional = ['config.json', 'special_tokens_map.json'].filter(has);
  return { files: [...wanted.filter(has), ...optional], missing: wanted.filter((f) => !has(f)) };
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function combinedHash(files: Manifest['files']): string {
  const lines = Object.keys(files)
    .sort()
    .map((f) => `${f} ${files[f].sha256}`);
  return crypto.createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

export function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) return null;
  const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

function defaultName(dir: string): string {
  const config = path.join(dir, 'config.json');
  if (fs.existsSync(config)) {
    const name = JSON.parse(fs.readFileSync(config, 'utf8'))._name_or_path;
    if (typeof name === 'string' && name) return name;
  }
  return path.basename(path.resolve(dir));
}

/** Hashes every model file and returns a fresh manifest (keeping a previous manifest's name, logit scale and near-duplicate flag). */
export async function buildManifest(dir: string, name?: string): Promise<Manifest> {
  const { files, missing } = modelFiles(dir);
  if (missing.length) throw new ModelNotInstalledError(dir, missing);
  const previous = readManifest(dir);
  const entries: Manifest['files'] = {};
  for (const f of files) {
    const full = path.join(dir, f);
    entries[f] = { sha256: await sha256File(full), bytes: fs.statSync(full).size };
  }
  return {
    name: name ?? previous?.name ?? defaultName(dir),
    hash: combinedHash(entries),
    ...(previous?.logitScale ? { logitScale: previous.logitScale } : {}),
    ...(previous?.nearDuplicates !== undefined ? { nearDuplicates: previous.nearDuplicates } : {}),
    files: entries,
  };
}

export function writeManifest(dir: string, manifest: Manifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Identifies the installed model. A manifest whose file sizes still match is trusted (hashing 600 MB on every
 * run would cost seconds); otherwise the files are hashed now. Throws ModelNotInstalledError when files are missing.
 */
export async function describeModel(dir: string): Promise<ModelInfo> {
  const { files, missing } = modelFiles(dir);
  if (missing.length) throw new ModelNotInstalledError(dir, missing);
  let manifest = readManifest(dir);
  const stale =
    !manifest ||
    files.some((f) => manifest!.files[f]?.bytes !== fs.statSync(path.join(dir, f)).size) ||
    Object.keys(manifest.files).some((f) => !files.includes(f));
  if (stale) manifest = await buildManifest(dir);
  return {
    dir,
    name: manifest!.name,
    hash: manifest!.hash,
    logitScale: manifest!.logitScale ?? DEFAULT_LOGIT_SCALE,
    nearDuplicates: manifest!.nearDuplicates ?? true,
    visionPath: path.join(dir, VISION_FILE),
    textPath: path.join(dir, TEXT_FILE),
  };
}
