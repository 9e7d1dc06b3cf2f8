// usearch loaded through require: its ES module finds its native binary from a stack trace, which fails under
// module runners (vitest, bundlers); the CommonJS build finds it from __dirname.
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';

const require = createRequire(import.meta.url);
export const { Index, MetricKind, ScalarKind } = require('usearch') as typeof Usearch;
export type { BatchMatches, Index as UsearchIndex, Matches } from 'usearch';
