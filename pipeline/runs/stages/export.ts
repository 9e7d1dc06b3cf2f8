// Export as a run stage: one batch that writes the dataset files and their manifest.
import { runExport } from '../../export/export.ts';
import { STAGE_LABELS } from '../config.ts';
import type { StageAdapter } from '../types.ts';

export const exportStage: StageAdapter = {
  name: 'export',
  label: STAGE_LABELS.export,
  plan: () => [{ key: 'dataset', params: {}, items: 1 }],
  async runBatch(_batch, ctx) {
    let last = 0;
    const r = await runExport({
      formats: ctx.config.exportFormats,
      licenses: ctx.config.licenses,
      runId: ctx.runId,
      thresholds: ctx.config.thresholds,
      signal: ctx.signal,
      columns: ctx.config.exportColumns ?? 'full',
      outDir: ctx.config.exportDir ?? undefined,
      onRows: (n) => {
        if (n - last >= 1_000_000) {
          last = n;
          void ctx.heartbeat();
        }
      },
    });
    return { ok: 1, failed: 0, note: `export ${r.id}: ${r.rowCount} rows in ${r.directory}` };
  },
};
