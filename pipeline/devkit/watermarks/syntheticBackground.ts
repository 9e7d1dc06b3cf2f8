// Photo-like synthetic backgrounds (sky gradient, textured ground, shapes, sensor noise), varied per photo.
import { watermarkRng, type Rng } from '../random.ts';
import type { RawImage } from '../../watermarks/types.ts';

type Rgb = [number, number, number];

function randomColor(rng: Rng, lo = 0, hi = 255): Rgb {
  return [rng.range(lo, hi), rng.range(lo, hi), rng.range(lo, hi)];
}

let gaussians: Float32Array | undefined;
function gaussianTable(): Float32Array {
  if (!gaussians) {
    const rng = watermarkRng('gaussians');
    gaussians = new Float32Array(1 << 18);
    for (let i = 0; i < gaussians.length; i++) gaussians[i] = rng.normal();
  }
  return gaussians;
}

/** Bilinearly interpolated random lattice: smooth texture whose grain is `cell` pixels. */
function valueNoise(width: number, height: number, cell: number, rng: Rng): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next() * 2 - 1;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = y / cell;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x / cell;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const a = lattice[y0 * gw + x0];
      const b = lattice[y0 * gw + x0 + 1];
      const c = lattice[(y0 + 1) * gw + x0];
      const d = lattice[(y0 + 1) * gw + x0 + 1];
      out[y * width + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

/** Paints an ellipse or a rotated rectangle with a soft or hard edge. */
function paintShape(planes: Float32Array[], width: number, height: number, rng: Rng): void {
  const cx = rng.range(-0.1, 1.1) * width;
  const cy = rng.range(-0.1, 1.1) * height;
  const rx = rng.range(0.03, 0.3) * width;
  const ry = rx * rng.range(0.3, 2);
  const angle = rng.range(0, Math.PI);
  const ellipse = rng.chance(0.5);
  const color = randomColor(rng);
  const opacity = rng.range(0.5, 1);
  const soft = rng.chance(0.4) ? rng.range(2, 12) : 0.8;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.max(rx, ry) + soft;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cos + dy * sin) / rx;
      const v = (-dx * sin + dy * cos) / ry;
      // Signed distance to the outline in pixels, approximately.
      const dist = ellipse
        ? (Math.sqrt(u * u + v * v) - 1) * Math.min(rx, ry)
        : Math.max(Math.abs(u) * rx - rx, Math.abs(v) * ry - ry);
      const a = opacity * Math.min(1, Math.max(0, 0.5 - dist / soft));
      if (a <= 0) continue;
      const i = y * width + x;
      for (let c = 0; c < 3; c++) planes[c][i] += (color[c] - planes[c][i]) * a;
    }
  }
}

/** An RGB image that looks, to gradient statistics, like a photo: edges at random places, textures, noise. */
export function renderBackground(width: number, height: number, rng: Rng): RawImage {
  const n = width * height;
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const corners = [
    randomColor(rng, 20, 240),
    randomColor(rng, 20, 240),
    randomColor(rng, 20, 240),
    randomColor(rng, 20, 240),
  ];
  const hasHorizon = rng.chance(0.7);
  const horizon = rng.range(0.25, 0.85) * height;
  const tilt = rng.range(-0.15, 0.15);
  const ground = randomColor(rng, 10, 200);
  // Real photos are textured almost everywhere at thumbnail scale (foliage, fabric, clouds, grain).
  const texture = valueNoise(width, height, rng.range(1.5, 10), rng);
  const textureAmp = rng.range(10, 60);
  const skyTextureAmp = rng.chance(0.5) ? rng.range(3, 25) : 0;
  const broad = valueNoise(width, height, rng.range(30, 120), rng);
  const broadAmp = rng.range(5, 35);
  for (let y = 0; y < height; y++) {
    const ty = y / (height - 1);
    for (let x = 0; x < width; x++) {
      const tx = x / (width - 1);
      const i = y * width + x;
      const below = hasHorizon && y > horizon + tilt * (x - width / 2);
      for (let c = 0; c < 3; c++) {
        const top = corners[0][c] + (corners[1][c] - corners[0][c]) * tx;
        const bottom = corners[2][c] + (corners[3][c] - corners[2][c]) * tx;
        let v = top + (bottom - top) * ty + broad[i] * broadAmp + texture[i] * skyTextureAmp;
        if (below) v = ground[c] + texture[i] * textureAmp + broad[i] * broadAmp;
        planes[c][i] = v;
      }
    }
  }
  const shapes = rng.int(2, 12);
  for (let s = 0; s < shapes; s++) paintShape(planes, width, height, rng);
  const sigma = rng.range(1, 6);
  const data = Buffer.alloc(n * 3);
  // Sensor grain from a fixed table of normals at a random offset: Box–Muller per pixel is the slow part.
  const table = gaussianTable();
  let k = rng.int(0, table.length - 1);
  const mask = table.length - 1;
  for (let i = 0; i < n; i++) {
    const grain = table[k] * sigma;
    k = (k + 1) & mask;
    for (let c = 0; c < 3; c++) {
      const v = planes[c][i] + grain + table[(k + 7919 * (c + 1)) & mask] * sigma * 0.3;
      data[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data, width, height, channels: 3 };
}
