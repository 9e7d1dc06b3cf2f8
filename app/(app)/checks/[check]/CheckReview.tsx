'use client';
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useCheckPhotosQuery } from '@/components/hooks/useCheckPhotosQuery';
import { useOverrideMutation } from '@/components/hooks/useOverrideMutation';
import { PhotoDrawer } from '@/components/review/PhotoDrawer';
import { newRequestId } from '@/components/review/requestId';
import { ShortcutsDialog } from '@/components/review/ShortcutsDialog';
import { VirtualGrid } from '@/components/review/VirtualGrid';
import { useToast } from '@/components/ui/Toaster';
import { CHECKS, isCheckName } from '@/lib/checks';
import type { CheckPhotoCriteria } from '@/lib/queries/overrides';
import { CheckFilters, type Filters } from './CheckFilters';
import { BulkActions } from './BulkActions';
import { CheckPhotoCard } from './CheckPhotoCard';

const SHORTCUTS = [
  { keys: 'J / K, ← → ↑ ↓', action: 'Move through the photos' },
  { keys: 'X', action: 'Select or unselect the photo' },
  { keys: 'Shift + click', action: 'Select a range' },
  { keys: 'P', action: 'Pass the selection (or the photo)' },
  { keys: 'F', action: 'Fail the selection (or the photo)' },
  { keys: 'Space', action: 'Enlarge the photo (details drawer)' },
  { keys: '?', action: 'Show these shortcuts' },
];

/** The filter without its paging: what "all matching" means. */
function criteria({ pageSize: _p, ...f }: Filters): CheckPhotoCriteria {
  return Object.fromEntries(
    Object.entries(f).filter(([, v]) => v !== undefined && v !== ''),
  ) as CheckPhotoCriteria;
}

/** The photos one check flagged, with evidence; confirm or override one or many (shift-click, select all on page). */
export function CheckReview({ check }: { check: string }) {
  const [filters, setFilters] = useState<Filters>({ pageSize: 200 });
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [active, setActive] = useState(0);
  const [drawer, setDrawer] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [reason, setReason] = useState('');
  const anchor = useRef<number | null>(null);
  const columns = useRef(4);
  const photos = useCheckPhotosQuery(check, { ...filters, page });
  const override = useOverrideMutation();
  const toast = useToast();
  const rows = photos.data?.data ?? [];
  const pages = photos.data ? Math.max(1, Math.ceil(photos.data.total / photos.data.pageSize)) : 1;

  useEffect(() => {
    setSelected(new Set());
    setActive(0);
    anchor.current = null;
  }, [filters, page]);

  const onSelect = useCallback(
    (index: number, e: MouseEvent) => {
      const from = e.shiftKey ? anchor.current : null;
      setSelected((prev) => {
        const next = new Set(prev);
        if (from !== null) {
          const [a, b] = [Math.min(from, index), Math.max(from, index)];
          for (let i = a; i <= b; i++) next.add(rows[i].photoId);
        } else if (next.has(rows[index].photoId)) next.delete(rows[index].photoId);
        else next.add(rows[index].photoId);
        return next;
      });
      anchor.current = index;
      setActive(index);
    },
    [rows],
  );

  const checkName = isCheckName(check) ? CHECKS[check].label : check;
  const apply = useCallback(
    (ids: string[], newVerdict: 'pass' | 'fail') => {
      if (!ids.length) return;
      // What each photo showed before, so Undo can put it back: only a pass or fail can be set again by an override.
      const before = new Map(
        rows.filter((r) => ids.includes(r.photoId)).map((r) => [r.photoId, r.effective]),
      );
      const restorable = [...before.values()].every((v) => v === 'pass' || v === 'fail');
      const what = ids.length === 1 ? `photo ${ids[0]}` : `${ids.length} photos`;
      override.mutate(
        { photoIds: ids, check, newVerdict, reason: reason.trim() || undefined, requestId: newRequestId() },
        {
          onSuccess: () => {
            setSelected(new Set());
            toast({
              text: `${newVerdict === 'pass' ? 'Passed' : 'Failed'} ${what} on ${checkName}`,
              action: restorable
                ? {
                    label: 'Undo',
                    run: () => {
                      for (const v of ['pass', 'fail'] as const) {
                        const back = ids.filter((id) => before.get(id) === v);
                        if (back.length) {
                          override.mutate(
                            {
                              photoIds: back,
                              check,
                              newVerdict: v,
                              reason: 'undo',
                              requestId: newRequestId(),
                            },
                            {
                              onSuccess: () =>
                                toast({
                                  kind: 'info',
                                  text: `Undone: ${back.length === 1 ? `photo ${back[0]}` : `${back.length} photos`} back to ${v}`,
                                }),
                            },
                          );
                        }
                      }
                    },
                  }
                : undefined,
            });
          },
          onError: (e) => toast({ kind: 'error', text: `Not saved: ${what} on ${checkName}: ${e.message}` }),
        },
      );
    },
    [check, checkName, override, reason, rows, toast],
  );
  const onVerdict = useCallback((id: string, v: 'pass' | 'fail') => apply([id], v), [apply]);
  const onOpen = useCallback(
    (i: number) => {
      setActive(i);
      setDrawer(rows[i].photoId);
    },
    [rows],
  );

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
      if (e.target instanceof HTMLElement && e.target.closest('input:not([type=checkbox]), textarea, select'))
        return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const move = (d: number) =>
        setActive((a) => Math.min(Math.max(0, a + d), Math.max(0, rows.length - 1)));
      const target = selected.size ? [...selected] : rows[active] ? [rows[active].photoId] : [];
      const map: Record<string, () => void> = {
        j: () => move(1),
        ArrowRight: () => move(1),
        k: () => move(-1),
        ArrowLeft: () => move(-1),
        ArrowDown: () => move(columns.current),
        ArrowUp: () => move(-columns.current),
        x: () =>
          rows[active] &&
          setSelected((s) => {
            const n = new Set(s);
            if (n.has(rows[active].photoId)) n.delete(rows[active].photoId);
            else n.add(rows[active].photoId);
            return n;
          }),
        p: () => apply(target, 'pass'),
        f: () => apply(target, 'fail'),
        '?': () => setHelp(true),
        ' ': () => rows[active] && setDrawer(rows[active].photoId),
      };
      if (!map[k]) return;
      e.preventDefault();
      map[k]();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [rows, active, selected, apply]);

  return (
    <div className="space-y-3">
      <CheckFilters
        value={filters}
        onChange={(f) => {
          setFilters(f);
          setPage(1);
        }}
      />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span aria-live="polite">
          {photos.data ? `${photos.data.total.toLocaleString('en-US')} photos` : 'Loading…'} · {selected.size}{' '}
          selected
        </span>
        <button
          type="button"
          onClick={() => setSelected(new Set(rows.map((r) => r.photoId)))}
          className="rounded border px-2 py-1 hover:bg-slate-100"
        >
          Select all on page
        </button>
        <button
          type="button"
          onClick={() => setSelected(new Set())}
          disabled={!selected.size}
          className="rounded border px-2 py-1 hover:bg-slate-100 disabled:opacity-50"
        >
          Clear selection
        </button>
        <label className="flex items-center gap-1">
          Reason
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="w-48 rounded border px-2 py-1"
            placeholder="optional"
          />
        </label>
        <button
          type="button"
          disabled={!selected.size || override.isPending}
          onClick={() => apply([...selected], 'pass')}
          className="rounded bg-green-700 px-2 py-1 text-white disabled:opacity-50"
        >
          Pass selected ({selected.size})
        </button>
        <button
          type="button"
          disabled={!selected.size || override.isPending}
          onClick={() => apply([...selected], 'fail')}
          className="rounded bg-red-700 px-2 py-1 text-white disabled:opacity-50"
        >
          Fail selected ({selected.size})
        </button>
        <button
          type="button"
          onClick={() => setHelp(true)}
          className="rounded border px-2 py-1 hover:bg-slate-100"
        >
          Shortcuts (?)
        </button>
      </div>
      <BulkActions
        check={check}
        checkName={checkName}
        filter={criteria(filters)}
        total={photos.isPlaceholderData ? undefined : photos.data?.total}
        reason={reason}
      />
      {override.error && (
        <p role="alert" className="text-sm text-red-700">
          {override.error.message}
        </p>
      )}
      {photos.error && (
        <p role="alert" className="text-sm text-red-700">
          {photos.error.message}
        </p>
      )}
      {photos.data && rows.length === 0 && (
        <p className="text-sm text-slate-500">Nothing to review with these filters.</p>
      )}
      {rows.length > 0 && (
        <div data-review-grid>
          <VirtualGrid
            count={rows.length}
            minCellWidth={190}
            estimateHeight={290}
            label={`Photos flagged by ${check}`}
            height="fill"
            fillBelow={72}
            activeIndex={active}
            onActivate={setActive}
            onColumns={(c) => {
              columns.current = c;
            }}
            renderCell={(i) => (
              <CheckPhotoCard
                photo={rows[i]}
                index={i}
                check={check}
                active={i === active}
                selected={selected.has(rows[i].photoId)}
                busy={override.isPending}
                onSelect={onSelect}
                onOpen={onOpen}
                onVerdict={onVerdict}
              />
            )}
          />
        </div>
      )}
      <nav aria-label="Result pages" className="flex items-center gap-2 text-sm">
        <button
          type="button"
          disabled={page <= 1}
          onClick={() => setPage((p) => p - 1)}
          className="rounded border px-2 py-1 disabled:opacity-50"
        >
          Previous page
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button
          type="button"
          disabled={page >= pages}
          onClick={() => setPage((p) => p + 1)}
          className="rounded border px-2 py-1 disabled:opacity-50"
        >
          Next page
        </button>
      </nav>
      <PhotoDrawer photoId={drawer} onClose={() => setDrawer(null)} />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} shortcuts={SHORTCUTS} />
    </div>
  );
}
