// Words shared by the review UI and its API: reject reasons (keys 1–7) and spot-check labels (keys 1–5).

export const REJECT_REASONS = [
  { key: 'watermarks', label: 'Watermarks' },
  { key: 'non_photos', label: 'Non-photos' },
  { key: 'copyright', label: 'Copyright doubts' },
  { key: 'non_wholesome', label: 'Non-wholesome' },
  { key: 'heavy_edits', label: 'Heavy edits' },
  { key: 'spam_duplicates', label: 'Spam / duplicates' },
  { key: 'other', label: 'Other (with a note)' },
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number]['key'];
export const REJECT_REASON_KEYS = REJECT_REASONS.map((r) => r.key) as [RejectReason, ...RejectReason[]];

export function rejectReasonLabel(key: string | null | undefined): string {
  return REJECT_REASONS.find((r) => r.key === key)?.label ?? key ?? '';
}

/** The rows of Megalith-10m's spot-check table; `fine` excludes the others. */
export const SPOT_LABELS = [
  { key: 'fine', label: 'Fine' },
  { key: 'minor_edits', label: 'Minor edits or annotations' },
  { key: 'copyright', label: 'Copyright-constrained' },
  { key: 'non_wholesome', label: 'Non-wholesome' },
  { key: 'non_photo', label: 'Non-photo' },
] as const;

export type SpotLabel = (typeof SPOT_LABELS)[number]['key'];
export const SPOT_LABEL_KEYS = SPOT_LABELS.map((l) => l.key) as [SpotLabel, ...SpotLabel[]];

/** Toggling a label: `fine` clears the problems, a problem clears `fine`. */
export function toggleSpotLabel(current: readonly string[], label: SpotLabel): SpotLabel[] {
  const set = new Set(
    current.filter((l): l is SpotLabel => (SPOT_LABEL_KEYS as readonly string[]).includes(l)),
  );
  if (set.has(label)) set.delete(label);
  else if (label === 'fine') return ['fine'];
  else {
    set.delete('fine');
    set.add(label);
  }
  return SPOT_LABEL_KEYS.filter((k) => set.has(k));
}

export const QUEUE_ORDERS = ['rank', 'flag', 'watermark'] as const;
export type QueueOrder = (typeof QUEUE_ORDERS)[number];
