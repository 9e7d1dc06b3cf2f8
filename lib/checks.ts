// The automatic checks Quarry runs, with the names stored in check_results.check.

export const CHECKS = {
  resolution: { label: 'Resolution', description: 'Original under the minimum size' },
  exif_copyright: {
    label: 'EXIF copyright',
    description: 'Copyright restriction in the original’s EXIF/XMP',
  },
  copyright_text: { label: 'Copyright text', description: 'Restriction in the title, description or tags' },
  duplicate: { label: 'Duplicates', description: 'Exact or near duplicate of another photo' },
  clip_nonphoto: { label: 'CLIP non-photo', description: 'Illustration, screenshot, render…' },
  clip_nonwholesome: { label: 'CLIP non-wholesome', description: 'Nudity, violence, gore…' },
  watermark: { label: 'Watermark', description: 'Carries its account’s repeated watermark' },
  border: { label: 'Border / frame', description: 'Uniform border or frame (minor edit)' },
} as const;

export type CheckName = keyof typeof CHECKS;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];

export function isCheckName(v: string): v is CheckName {
  return Object.prototype.hasOwnProperty.call(CHECKS, v);
}

export const LICENSES: Record<number, string> = {
  0: 'All Rights Reserved',
  1: 'CC BY-NC-SA',
  2: 'CC BY-NC',
  3: 'CC BY-NC-ND',
  4: 'CC BY',
  5: 'CC BY-SA',
  6: 'CC BY-ND',
  7: 'No known copyright restrictions',
  8: 'United States Government Work',
  9: 'Public Domain Dedication (CC0)',
  10: 'Public Domain Mark',
};
