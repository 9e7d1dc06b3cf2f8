// Dataset exports: their rows (status, files with sizes and SHA-256, manifest) for the Export page and downloads.
import { db, Prisma } from '../db.ts';
import { resolveExportDirectory, storedExportDirectory } from '../exportPaths.ts';

export type ExportFile = { name: string; format: string; bytes: number; sha256: string };

export type ExportView = {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  formats: string[];
  config: unknown;
  rowCount: number | null;
  files: ExportFile[];
  manifest: unknown;
  error: string | null;
  runId: string | null;
  createdAt: string;
  finishedAt: string | null;
};

type Row = Awaited<ReturnType<ReturnType<typeof db>['export']['findFirstOrThrow']>>;

const view = (e: Row): ExportView => ({
  id: e.id,
  status: e.status,
  formats: e.formats,
  config: e.config,
  rowCount: e.rowCount,
  files: e.files as ExportFile[],
  manifest: e.manifest,
  error: e.error,
  runId: e.runId,
  createdAt: e.createdAt.toISOString(),
  finishedAt: e.finishedAt?.toISOString() ?? null,
});

/** The application_name of the connection an export holds while it runs: its liveness signal (see repairStaleExports). */
export const exportConnectionName = (id: string) => `quarry-export:${id}`;

export async function createExport(data: {
  id?: string;
  formats: string[];
  config: Record<string, unknown>;
  runId?: string | null;
  createdById?: string | null;
}): Promise<string> {
  const e = await db().export.create({
    data: {
      id: data.id,
      status: 'running',
      formats: data.formats,
      config: data.config as Prisma.InputJsonValue,
      runId: data.runId ?? null,
      createdById: data.createdById ?? null,
    },
  });
  return e.id;
}

/** Records where the files go; stored relative to the export root when inside it (see lib/exportPaths.ts). */
export async function setExportDirectory(id: string, directory: string): Promise<void> {
  await db().export.update({ where: { id }, data: { directory: storedExportDirectory(directory) } });
}

export async function completeExport(
  id: string,
  data: { rowCount: number; files: ExportFile[]; manifest: Record<string, unknown> },
): Promise<void> {
  await db().export.update({
    where: { id },
    data: {
      status: 'completed',
      rowCount: data.rowCount,
      files: data.files as Prisma.InputJsonValue,
      manifest: data.manifest as Prisma.InputJsonValue,
      finishedAt: new Date(),
    },
  });
}

export async function failExport(id: string, error: string): Promise<void> {
  await db().export.update({
    where: { id },
    data: { status: 'failed', error: error.slice(0, 2000), finishedAt: new Date() },
  });
}

export async function listExports(paging: {
  page: number;
  pageSize: number;
}): Promise<{ data: ExportView[]; total: number; page: number; pageSize: number }> {
  const [rows, total] = await Promise.all([
    db().export.findMany({
      orderBy: { createdAt: 'desc' },
      skip: (paging.page - 1) * paging.pageSize,
      take: paging.pageSize,
    }),
    db().export.count(),
  ]);
  return { data: rows.map(view), total, page: paging.page, pageSize: paging.pageSize };
}

export async function getExport(id: string): Promise<(ExportView & { directory: string | null }) | null> {
  const e = await db().export.findUnique({ where: { id } });
  return e && { ...view(e), directory: e.directory === null ? null : resolveExportDirectory(e.directory) };
}

export const STALE_EXPORT_ERROR = 'the process writing this export stopped before it finished';

/**
 * Marks failed every export left `running` whose writer is gone. A running export holds a database connection named
 * after it for its whole life (opened before its row is inserted), so a row without one belongs to a dead process,
 * whichever machine it ran on. Returns how many were repaired.
 */
export async function repairStaleExports(): Promise<number> {
  return db().$executeRaw`
    UPDATE exports e SET status = 'failed', error = ${STALE_EXPORT_ERROR}, finished_at = now()
    WHERE e.status = 'running'
      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'quarry-export:' || e.id)`;
}

export type ExportReadiness = {
  /** Runs queued or running, other than the one asking. */
  activeRuns: { id: string; status: string }[];
  /** Photos under the export's licenses whose image was never fetched (availability unknown). */
  unfetched: number;
};

/** What would make an export partial right now: a run still writing results, or photos not fetched yet. */
export async function exportReadiness(
  licenses: readonly number[],
  exceptRunId?: string | null,
): Promise<ExportReadiness> {
  const [runs, [{ n }]] = await Promise.all([
    db().pipelineRun.findMany({
      where: { status: { in: ['queued', 'running'] }, ...(exceptRunId ? { id: { not: exceptRunId } } : {}) },
      select: { id: true, status: true },
      orderBy: { createdAt: 'asc' },
    }),
    db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM photos WHERE availability = 'unknown' AND license = ANY(${[...licenses]}::int[])`,
  ]);
  return { activeRuns: runs, unfetched: n };
}

/** One sentence saying why an export now would be partial, or null when it would not be. */
export function partialExportReason(r: ExportReadiness): string | null {
  const parts: string[] = [];
  if (r.activeRuns.length)
    parts.push(
      `${r.activeRuns.length === 1 ? `run ${r.activeRuns[0].id} is` : `${r.activeRuns.length} runs are`} still ${r.activeRuns.length === 1 ? r.activeRuns[0].status : 'active'}`,
    );
  if (r.unfetched)
    parts.push(
      `${r.unfetched.toLocaleString('en-US')} photo${r.unfetched === 1 ? ' is' : 's are'} not fetched yet`,
    );
  return parts.length ? `The export would be partial: ${parts.join(' and ')}.` : null;
}
