// The median the pipeline's summaries use: for an even count the upper of the two middle values (an observed value,
// never an average of two), and 0 for no values.
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
