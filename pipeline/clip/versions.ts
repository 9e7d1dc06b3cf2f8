// The version each CLIP check stamps its results with: the model's hash, the prompt set's and the thresholds'.
// Light on purpose (no model is loaded): the web app names these versions when it creates a run.
import crypto from 'node:crypto';
import type { ClipCheckName, ClipVersions } from '../../lib/queries/clip.ts';
import type { ClipConfig, Thresholds } from './config.ts';
import { hashPromptSet, loadPrompts, type PromptSetName } from './prompts.ts';

export const SETS: Record<ClipCheckName, PromptSetName> = {
  clip_nonphoto: 'nonphoto',
  clip_nonwholesome: 'nonwholesome',
};

function thresholdHash(t: Thresholds): string {
  return crypto.createHash('sha256').update(`${t.fail}/${t.uncertain}`).digest('hex').slice(0, 8);
}

export function clipCheckVersions(
  modelHash: string,
  config: Pick<ClipConfig, 'promptsFile' | 'thresholds'>,
): ClipVersions {
  const prompts = loadPrompts(config.promptsFile);
  const versions = {} as ClipVersions;
  for (const check of Object.keys(SETS) as ClipCheckName[]) {
    versions[check] =
      `${modelHash}.${hashPromptSet(prompts[SETS[check]])}.${thresholdHash(config.thresholds[SETS[check]])}`;
  }
  return versions;
}
