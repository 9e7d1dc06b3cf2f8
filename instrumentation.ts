// Next.js calls register() once per server process: the Node.js server repairs exports a dead process left
// `running`, then starts its pipeline worker as a child process (pipeline/runs/serverWorker.ts) unless
// IN_PROCESS_WORKER=0, and stops it on SIGTERM/SIGINT.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // `next start` run directly with the system's node (not through npm) may be older than Quarry supports.
  const { refuseOldNode } = await import('./lib/server/nodeVersion.ts');
  refuseOldNode();
  // `npm start` preloads this; for a bare `next start` only requests after this point carry the address.
  const { installPeerAddressStamp } = await import('./lib/server/peerAddress.ts');
  installPeerAddressStamp();
  const { repairStaleExports } = await import('./lib/queries/exports.ts');
  const repaired = await repairStaleExports().catch((e: unknown) => {
    console.error(`Could not check for stale exports: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  });
  if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
  const { env } = await import('./lib/env.ts');
  // Without DATABASE_URL the child would start a PostgreSQL of its own: the launcher (`npm start`) always sets it.
  if (!env.IN_PROCESS_WORKER || !process.env.DATABASE_URL) return;
  const { startServerWorker } = await import('./pipeline/runs/serverWorker.ts');
  startServerWorker({ concurrency: env.WORKER_CONCURRENCY, stopOnSignals: true });
}
