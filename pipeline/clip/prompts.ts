// Loads and validates the admin-editable zero-shot prompt sets (photo vs non-photo, wholesome vs not).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';

const classSchema = z.object({
  name: z.string().min(1),
  /** True for the classes whose probabilities add up to the check's score (non-photo, non-wholesome). */
  flagged: z.boolean(),
  phrases: z.array(z.string().min(1)).min(1),
});

const setSchema = z
  .object({
    description: z.string().optional(),
    templates: z.array(z.string().refine((t) => t.includes('{}'), 'a template must contain {}')).min(1),
    classes: z.array(classSchema).min(2),
  })
  .refine((s) => s.classes.some((c) => c.flagged) && s.classes.some((c) => !c.flagged), {
    message: 'a prompt set needs at least one flagged and one unflagged class',
  })
  .refine((s) => new Set(s.classes.map((c) => c.name)).size === s.classes.length, {
    message: 'class names must be unique',
  });

export const promptsSchema = z.object({ nonphoto: setSchema, nonwholesome: setSchema });

export type PromptSet = z.infer<typeof setSchema>;
export type Prompts = z.infer<typeof promptsSchema>;
export const PROMPT_SET_NAMES = ['nonphoto', 'nonwholesome'] as const;
export type PromptSetName = (typeof PROMPT_SET_NAMES)[number];

/** Every prompt of a class: each template filled with each phrase. */
export function classPrompts(set: PromptSet, className: string): string[] {
  const cls = set.classes.find((c) => c.name === className);
  if (!cls) throw new Error(`no class ${className}`);
  return set.templates.flatMap((t) => cls.phrases.map((p) => t.replaceAll('{}', p)));
}

export function hashPromptSet(set: PromptSet): string {
  return crypto.createHash('sha256').update(JSON.stringify(set)).digest('hex').slice(0, 12);
}

export function loadPrompts(file: string): Prompts {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read CLIP prompt file ${file}: ${(err as Error).message}`);
  }
  const parsed = promptsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid CLIP prompt file ${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
