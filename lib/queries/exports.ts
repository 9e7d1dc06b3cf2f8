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
  id: e.id, status: e.status, formats: e.formats, config: e.config, rowCount: e.rowCount, files: e.files as ExportFile[],
  manifest: e.manifest, error: e.error, runId: e.runId, createdAt: e.createdAt.toISOString(), finishedAt: e.finishedAt?.toISOString() ?? null,
});

export async function createExport(data: { formats: string[]; config: Record<string, unknown>; runId?: string | null; createdById?: string | null }): Promise<string> {
  const e = await db().export.create({
    data: { status: 'running', formats: data.formats, config: data.config as Prisma.InputJsonValue, runId: data.runId ?? null, createdById: data.createdById ?? null },
  });
  return e.id;
}

/** Records where the files go; stored relative to the export root when inside it (see lib/exportPaths.ts). */
export async function setExportDirectory(id: string, directory: string): Promise<void> {
  await db().export.update({ where: { id }, data: { directory: storedExportDirectory(directory) } });
}

export async function completeExport(id: string, data: { rowCount: number; files: ExportFile[]; manifest: Record<string, unknown> }): Promise<void> {
  await db().export.update({
    where: { id },
    data: { status: 'completed', rowCount: data.rowCount, files: data.files as Prisma.InputJsonValue, manifest: data.manifest as Prisma.InputJsonValue, finishedAt: new Date() },
  });
}

export async function failExport(id: string, error: string): Promise<void> {
  await db().export.update({ where: { id }, data: { status: 'failed', error: error.slice(0, 2000), finishedAt: new Date() } });
}

export async function listExports(paging: { page: number; pageSize: number }): Promise<{ data: ExportView[]; total: number; page: number; pageSize: number }> {
  const [rows, total] = await Promise.all([
    db().export.findMany({ orderBy: { createdAt: 'desc' }, skip: (paging.page - 1) * paging.pageSize, take: paging.pageSize }),
    db().export.count(),
  ]);
  return { data: rows.map(view), total, page: paging.page, pageSize: paging.pageSize };
}

export async function getExport(id: string): Promise<(ExportView & { directory: string | null }) | null> {
  const e = await db().export.findUnique({ where: { id } });
  return e && { ...view(e), directory: e.directory === null ? null : resolveExportDirectory(e.directory) };
}
