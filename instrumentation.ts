// Next.js calls register() once per server process: the Node.js server repairs exports a dead process left
// `running`, then starts the in-process pipeline worker.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { repairStaleExports } = await import('./lib/queries/exports.ts');
  const repaired = await repairStaleExports().catch((e: unknown) => {
    console.error(`Could not check for stale exports: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  });
  if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
  const { startInProcessWorker } = await import('./pipeline/runs/inProcess.ts');
  await startInProcessWorker();
}
