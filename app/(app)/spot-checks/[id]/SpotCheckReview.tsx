'use client';
import Link from 'next/link';
import { useIsMutating } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useLabelSpotItemMutation } from '@/components/hooks/useLabelSpotItemMutation';
import { useSpotCheckQuery } from '@/components/hooks/useSpotCheckQuery';
import { KnownPhotoAnswer } from '@/components/review/KnownPhotoAnswer';
import { PhotoDrawer } from '@/components/review/PhotoDrawer';
import { newRequestId } from '@/components/review/requestId';
import { ShortcutsDialog } from '@/components/review/ShortcutsDialog';
import { VirtualGrid } from '@/components/review/VirtualGrid';
import { SPOT_LABELS, toggleSpotLabel, type SpotLabel } from '@/lib/reviewVocabulary';
import { EstimateTable } from './EstimateTable';
import { SpotItemCard } from './SpotItemCard';
import { useUnsavedGuard } from '@/components/review/useUnsavedGuard';

const SHORTCUTS = [
  ...SPOT_LABELS.map((l, i) => ({ keys: String(i + 1), action: `Toggle “${l.label}”` })),
  { keys: 'J / K, ← → ↑ ↓', action: 'Move through the photos' },
  { keys: 'Space', action: 'Enlarge the photo (details drawer)' },
  { keys: '?', action: 'Show these shortcuts' },
];

/** Label a spot-check's sample; the estimate table updates with every label. Admins also set photos' known answers. */
export function SpotCheckReview({ id, isAdmin = false }: { id: string; isAdmin?: boolean }) {
  const sc = useSpotCheckQuery(id);
  const label = useLabelSpotItemMutation();
  const [active, setActive] = useState(0);
  const [drawer, setDrawer] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const columns = useRef(6);
  // The label sets just sent, ahead of the cache: a second key press builds on the first even before it lands.
  const latest = useRef(new Map<string, string[]>());
  const items = sc.data?.items ?? [];
  const saving = useIsMutating({ mutationKey: ['spotLabel'] });
  useUnsavedGuard(saving > 0);

  const onToggle = useCallback(
    (i: number, l: SpotLabel) => {
      const item = items[i];
      if (!item) return;
      setActive(i);
      const labels = toggleSpotLabel(latest.current.get(item.photoId) ?? item.labels ?? [], l);
      latest.current.set(item.photoId, labels);
      label.mutate(
        { spotCheckId: id, photoId: item.photoId, labels, requestId: newRequestId() },
        { onError: () => latest.current.delete(item.photoId) },
      );
    },
    [id, items, label],
  );
  const onOpen = useCallback(
    (i: number) => {
      setActive(i);
      setDrawer(items[i]?.photoId ?? null);
    },
    [items],
  );

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
      if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select')) return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const move = (d: number) =>
        setActive((a) => Math.min(Math.max(0, a + d), Math.max(0, items.length - 1)));
      const map: Record<string, () => void> = {
        j: () => move(1),
        ArrowRight: () => move(1),
        k: () => move(-1),
        ArrowLeft: () => move(-1),
        ArrowDown: () => move(columns.current),
        ArrowUp: () => move(-columns.current),
        '?': () => setHelp(true),
      };
      SPOT_LABELS.forEach((l, i) => {
        map[String(i + 1)] = () => onToggle(active, l.key);
      });
      const inGrid =
        e.target === document.body ||
        (e.target instanceof HTMLElement && !!e.target.closest('[data-review-grid]'));
      if (inGrid) map[' '] = () => items[active] && setDrawer(items[active].photoId);
      if (!map[k]) return;
      e.preventDefault();
      map[k]();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [items, active, onToggle]);

  if (sc.isLoading) return <p className="text-sm text-slate-500">Loading…</p>;
  if (sc.error || !sc.data)
    return (
      <p role="alert" className="text-sm text-red-700">
        {sc.error?.message ?? 'Not found'}
      </p>
    );
  const s = sc.data.spotCheck;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-2xl font-semibold">
          <bdi>{s.name}</bdi>
        </h1>
        <p className="text-sm text-slate-600">
          {s.size} photos from {s.population === 'included' ? 'the included photos' : 'everything ingested'} (
          {s.populationSize.toLocaleString('en-US')}), seed {s.seed}
        </p>
        <Link href="/spot-checks" className="text-sm text-blue-700 hover:underline">
          All spot-checks
        </Link>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white">
        <div className="flex flex-wrap items-center gap-3 p-2 text-sm">
          <p aria-live="polite">
            <strong data-testid="labelled-count">{s.labelled}</strong> of {s.size} labelled
          </p>
          <span role="status" className="text-slate-500">
            {saving ? `Saving ${saving}…` : 'All labels saved'}
          </span>
          <a
            href={`/api/spot-checks/${id}/export?kind=summary`}
            download
            className="rounded border px-2 py-1 hover:bg-slate-100"
          >
            Download table (CSV)
          </a>
          <a
            href={`/api/spot-checks/${id}/export?kind=items`}
            download
            className="rounded border px-2 py-1 hover:bg-slate-100"
          >
            Download labels (CSV)
          </a>
          <button
            type="button"
            onClick={() => setHelp(true)}
            className="rounded border px-2 py-1 hover:bg-slate-100"
          >
            Shortcuts (?)
          </button>
        </div>
        {sc.data.estimates ? (
          <EstimateTable estimates={sc.data.estimates} populationSize={s.populationSize} />
        ) : (
          <p
            className="border-t border-slate-100 p-2 text-sm text-slate-600"
            data-testid="estimates-withheld"
          >
            The estimated rates of this spot-check are shown to admins.
          </p>
        )}
        {isAdmin && items.some((i) => i.gold) && (
          <p className="border-t border-slate-100 p-2 text-xs text-slate-500">
            Known-answer photos mixed in at REVIEW_GOLD_RATE: {items.filter((i) => i.gold).length} of{' '}
            {items.length} (marked on their cards). Their labels score the labeller on the Review quality page
            and are left out of the table; reviewers cannot tell them apart, so they see no estimates here.
          </p>
        )}
      </section>
      {label.error && (
        <p role="alert" className="text-sm text-red-700">
          A label was not saved: {label.error.message}
        </p>
      )}
      <div data-review-grid>
        <VirtualGrid
          count={items.length}
          minCellWidth={170}
          estimateHeight={300}
          label="Sample photos to label"
          height="calc(100vh - 10rem)"
          activeIndex={active}
          onActivate={setActive}
          onColumns={(c) => {
            columns.current = c;
          }}
          renderCell={(i) => (
            <SpotItemCard
              item={items[i]}
              index={i}
              total={items.length}
              active={i === active}
              onOpen={onOpen}
              onToggle={onToggle}
            />
          )}
        />
      </div>
      <PhotoDrawer photoId={drawer} onClose={() => setDrawer(null)}>
        {isAdmin && drawer && <KnownPhotoAnswer photoId={drawer} />}
      </PhotoDrawer>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} shortcuts={SHORTCUTS} />
    </div>
  );
}
