// Shared shapes of the watermark check: raw images, boxes, borders and results.

/** Interleaved 8-bit pixels, as sharp's `.raw()` gives and takes them. */
export type RawImage = { data: Buffer; width: number; height: number; channels: 3 | 4 };

/** A rectangle in fractions of the image (0..1), so it means the same at any resolution. */
export type Box = { x: number; y: number; w: number; h: number };

/** A greyscale image in the common frame of an orientation group. */
export type Gray = { data: Float32Array; width: number; height: number };

export type Orientation = 'landscape' | 'portrait';

/** Border widths per side in fractions of the frame's height (top/bottom) or width (left/right). */
export type Sides = { top: number; right: number; bottom: number; left: number };

/** What every photo of the account has around or along its edges: a minor edit, reported apart from watermarks. */
export type BorderReport =
  | { kind: 'border'; sides: Sides; color: number; photosWith: number; photosSampled: number }
  | { kind: 'frame'; lines: FrameLine[]; photosWith: number; photosSampled: number };

/** A consistent straight line spanning the frame (pos in fractions of the perpendicular dimension). */
export type FrameLine = { axis: 'h' | 'v'; pos: number };
