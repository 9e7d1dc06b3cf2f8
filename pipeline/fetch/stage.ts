// Fetch step of the analyze stage (runs/stages/analyze.ts drives it batch by batch): downloads and processes photos with bounded concurrency and records each photo's outcome.
import path from 'node:path';
import { getFetchInputs, saveFetchOutcomes } from '../../lib/queries/analysis.ts';
import { isLocalDiskError } from '../atomicWrite.ts';
import { countFailure, emptyTally, type FailureTally } from '../../lib/domain/failureTally.ts';
import type { FetchOutcome, FetchPhotoInput } from '../../lib/domain/fetchOutcome.ts';
import { fetchPhoto, type FetchPhotoOptions } from './fetchPhoto.ts';
import { mapPool } from './pool.ts';

export function summarize(outcomes: FetchOutcome[]): FailureTally {
  const s = emptyTally();
  for (const o of outcomes) {
    if (o.status === 'available') s.ok++;
    else countFailure(s, o.status === 'unavailable' ? 'unavailable' : o.kind);
  }
  return s;
}

function localDiskBatchError(e: NodeJS.ErrnoException, dataDir: string): Error {
  const code = e.code ?? 'EIO';
  const what =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'disk full: no space left on device'
      : code === 'EROFS'
        ? 'read-only file system'
        : `local disk error ${code}`;
  return new Error(
    `${what} writing images under ${path.resolve(dataDir)} (${e.message}); no photo of this batch was recorded, rerun once the disk is fixed`,
    { cause: e },
  );
}

/** What fetching needs of the analyze settings (fetch sits below analyze, so it names only these). */
export type FetchSettings = Omit<FetchPhotoOptions, 'dataDir' | 'clip'> & {
  concurrency: number;
  dataDir: string;
  clip: boolean;
};

/** Fetches already-loaded photos; returns outcomes in input order. Per-photo failures are outcomes, not throws. */
export async function fetchPhotos(photos: FetchPhotoInput[], s: FetchSettings): Promise<FetchOutcome[]> {
  const opts = {
    allowlist: s.allowlist,
    timeoutMs: s.timeoutMs,
    maxBytes: s.maxBytes,
    retries: s.retries,
    backoffMs: s.backoffMs,
    signal: s.signal,
    clip: s.clip,
    dataDir: s.dataDir,
  };
  return mapPool(
    photos,
    s.concurrency,
    async (p) => {
      try {
        return await fetchPhoto(p, opts);
      } catch (e) {
        if (s.signal?.aborted) throw e;
        // Our own disk failing (full, read-only, no permission, a file where a folder belongs, I/O error) fails every
        // photo alike and is no fault of the photo: stop the batch (nothing is recorded, so the runner or a rerun retries
        // these photos) instead of marking good photos corrupt for good.
        if (isLocalDiskError(e)) throw localDiskBatchError(e, s.dataDir);
        // Any other failure inside processing (a sharp crash) ends as this photo's error.
        return {
          id: p.id,
          status: 'error',
          kind: 'corrupt',
          message: `processing failed: ${e instanceof Error ? e.message : String(e)}`,
        } as FetchOutcome;
      }
    },
    s.signal,
  );
}

/** Job-runner entry: fetch these photos and record the outcomes (batch retried as a whole only if the database fails). */
export async function runFetchBatch(photoIds: string[], s: FetchSettings): Promise<FailureTally> {
  const outcomes = await fetchPhotos(await getFetchInputs(photoIds), s);
  await saveFetchOutcomes(outcomes);
  return summarize(outcomes);
}
