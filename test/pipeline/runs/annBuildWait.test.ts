// What a caller waiting on an index build reads: how long it has run and, once the builder has said, how far it got
// (a first build at 10M reads for minutes, and "running for 9m" alone does not say whether it is stuck).
import { describe, expect, it } from 'vitest';
import { describeBuildWait } from '../../../pipeline/runs/annBuildWait.ts';

const at = (iso: string) => new Date(iso).getTime();

describe('the index build wait line', () => {
  it('says how many embeddings the running build has read', () => {
    const line = describeBuildWait(
      {
        state: 'running',
        createdOn: '2026-12-06T10:00:00Z',
        startedOn: '2026-12-06T10:01:00Z',
        workers: 3,
        progress: { done: 3_200_000, total: 10_000_000 },
      },
      at('2026-12-06T10:10:00Z'),
    );
    expect(line).toBe('index build running for 9m00s: 3,200,000/10,000,000 embeddings (32.0%)');
  });

  it('says only how long it has run before the builder has counted anything', () => {
    const line = describeBuildWait(
      { state: 'running', createdOn: '2026-12-06T10:00:00Z', startedOn: '2026-12-06T10:01:00Z', workers: 3 },
      at('2026-12-06T10:01:30Z'),
    );
    expect(line).toBe('index build running for 30s');
  });
});
