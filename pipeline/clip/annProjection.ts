// The ANN index's linear projection: CLIP's 512-d embeddings to their top principal directions, for the index only.
import fs from 'node:fs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { multiplyTransposed } from './matmul.ts';

/**
 * A `dims` × `from` row-major matrix of orthonormal rows: the index holds P·x instead of x. Every product the cells
 * take (assignment, pairs, queries) falls with the dimension, and the int8 rows take half the memory, while candidates
 * are still scored exactly on the stored 512-d vectors, so only recall can suffer, and the candidate floor covers the
 * projection's error.
 */
export type AnnProjection = { from: number; dims: number; matrix: Float32Array };

/**
 * The top `dims` eigenvectors of the sample's second-moment matrix XᵀX (not centred: the index compares the projected
 * vectors by cosine, so the shared mean direction CLIP's embeddings have must stay in, and it is the first one).
 * `sample` holds n rows of `from` floats. The product runs on onnxruntime; the 512 × 512 eigen-decomposition takes
 * about a second.
 */
export async function fitProjection(
  sample: Float32Array,
  n: number,
  from: number,
  dims: number,
): Promise<AnnProjection> {
  if (dims >= from) throw new Error(`a projection to ${dims} of ${from} dimensions reduces nothing`);
  const t = new Float32Array(from * n);
  for (let i = 0; i < n; i++) for (let d = 0; d < from; d++) t[d * n + i] = sample[i * from + d];
  const moment = await multiplyTransposed(t, from, t, from, n);
  const m = new Matrix(from, from);
  for (let i = 0; i < from; i++) for (let j = 0; j < from; j++) m.set(i, j, moment[i * from + j] / n);
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const matrix = new Float32Array(dims * from);
  for (let r = 0; r < dims; r++)
    for (let d = 0; d < from; d++) matrix[r * from + d] = vectors.get(d, order[r]);
  return { from, dims, matrix };
}

/** n rows of `p.from` floats → n rows of `p.dims` (an onnxruntime product: ~1 s per million rows at 128 dims). */
export async function project(p: AnnProjection, rows: Float32Array, n: number): Promise<Float32Array> {
  if (n === 0) return new Float32Array(0);
  return multiplyTransposed(rows, n, p.matrix, p.dims, p.from);
}

/** The matrix as raw little-endian float32, `dims` rows of `from`; the shape is in the index's meta. */
export function saveProjection(p: AnnProjection, file: string): void {
  fs.writeFileSync(`${file}.tmp`, new Uint8Array(p.matrix.buffer, p.matrix.byteOffset, p.matrix.byteLength));
  fs.renameSync(`${file}.tmp`, file);
}

export function loadProjection(file: string, from: number, dims: number): AnnProjection {
  const bytes = fs.readFileSync(file);
  if (bytes.byteLength !== from * dims * 4)
    throw new Error(`${file}: ${bytes.byteLength} bytes, expected ${dims} × ${from} float32`);
  const matrix = new Float32Array(from * dims);
  new Uint8Array(matrix.buffer).set(bytes);
  return { from, dims, matrix };
}
