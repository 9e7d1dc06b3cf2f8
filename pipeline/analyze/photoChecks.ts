// Runs the per-photo checks (resolution, EXIF copyright, copyright text) over a batch of photos and stores their results.
import { countFailure, emptyTally, type FailureTally } from '../../lib/domain/failureTally.ts';
import {
  getCheckInputs,
  saveCheckResults,
  type CheckInput,
  type CheckResultRow,
} from '../../lib/queries/analysis.ts';
import * as copyrightText from '../checks/copyrightText.ts';
import * as exifCopyright from '../checks/exifCopyright.ts';
import { readExif } from '../checks/exifRead.ts';
import * as resolution from '../checks/resolution.ts';
import { mapPool } from '../fetch/pool.ts';
import type { PhotoCheck } from './checkNames.ts';
import type { AnalyzeSettings } from './options.ts';

/** The stored check name and current version of each per-photo check under these settings. */
export function checkVersions(s: AnalyzeSettings): Record<PhotoCheck, { name: string; version: string }> {
  return {
    resolution: { name: resolution.NAME, version: resolution.versionFor(s.minResolution) },
    exif: { name: exifCopyright.NAME, version: exifCopyright.VERSION },
    text: { name: copyrightText.NAME, version: copyrightText.VERSION },
  };
}

async function evaluateOne(check: PhotoCheck, p: CheckInput, s: AnalyzeSettings) {
  if (check === 'resolution') return resolution.evaluate(p, s.minResolution);
  if (check === 'text') return copyrightText.evaluate(p);
  const read = await readExif(
    { id: p.id, secret: p.secret, urlO: p.urlO },
    {
      allowlist: s.allowlist,
      timeoutMs: s.timeoutMs,
      maxBytes: s.maxBytes,
      retries: s.retries,
      backoffMs: s.backoffMs,
      signal: s.signal,
      getExif: s.getExif,
    },
  );
  return exifCopyright.evaluate(read);
}

/** Evaluates `check` for these photos and stores the results; `failed` counts fail and error verdicts by check name. */
export async function runCheckBatch(
  photoIds: string[],
  check: PhotoCheck,
  s: AnalyzeSettings,
): Promise<FailureTally> {
  const { name, version } = checkVersions(s)[check];
  const inputs = await getCheckInputs(photoIds);
  // EXIF needs a Range request per photo; the other checks are pure and run inline.
  const outcomes = await mapPool(
    inputs,
    check === 'exif' ? s.concurrency : 1,
    (p) => evaluateOne(check, p, s),
    s.signal,
  );
  const rows: CheckResultRow[] = inputs.map((p, i) => ({
    photoId: p.id,
    check: name,
    version,
    ...outcomes[i],
  }));
  await saveCheckResults(rows, s.runId);
  const summary = emptyTally();
  for (const r of rows) {
    if (r.verdict === 'pass') summary.ok++;
    else countFailure(summary, `${name}:${r.verdict}`);
  }
  return summary;
}
