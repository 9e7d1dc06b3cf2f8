// Block matrix products A·Bᵀ on onnxruntime (MLAS kernels): the similarity engine for embedding search.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './onnxBuild.ts';

let session: Promise<ort.InferenceSession> | null = null;

function gemmSession(): Promise<ort.InferenceSession> {
  if (!session) {
    const g = new GraphBuilder();
    const a = g.input('a', 'float', ['m', 'd']);
    const b = g.input('b', 'float', ['n', 'd']);
    g.op('Gemm', [a, b], { transB: 1 }, 'c');
    g.output('c', ['m', 'n']);
    session = ort.InferenceSession.create(g.build('quarry_gemm'), { graphOptimizationLevel: 'all' });
  }
  return session;
}

/** [m, d] × [n, d]ᵀ → [m, n] row-major. */
export async function multiplyTransposed(
  a: Float32Array,
  m: number,
  b: Float32Array,
  n: number,
  d: number,
): Promise<Float32Array> {
  const s = await gemmSession();
  const out = await s.run({
    a: new ort.Tensor('float32', a, [m, d]),
    b: new ort.Tensor('float32', b, [n, d]),
  });
  return out.c.data as Float32Array;
}
