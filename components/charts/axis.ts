// Tick labels for chart axes.

/**
 * Enough decimals to tell the axis ends apart: scores packed into 0.001–0.004 read as such, not "0.00…0.00".
 */
export function axisFormatter(min: number, max: number): (v: number) => string {
  const span = Math.abs(max - min);
  const scale = Math.max(Math.abs(min), Math.abs(max));
  if (scale >= 100 && span >= 10) return (v) => v.toFixed(0);
  const ref = span > 0 ? span : scale || 1;
  // Below a thousandth, decimals stop being readable (0.000001): two significant digits in exponent form instead.
  if (ref < 0.001) return (v) => (v === 0 ? '0' : v.toExponential(1));
  const digits = Math.max(2, Math.ceil(-Math.log10(ref)) + 1);
  return (v) => v.toFixed(digits);
}
