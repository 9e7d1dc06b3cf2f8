// Next.js calls register() once per server process: the Node.js server starts the in-process pipeline worker.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startInProcessWorker } = await import('./pipeline/runs/inProcess.ts');
  await startInProcessWorker();
}
