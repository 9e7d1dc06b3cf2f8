'use client';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';

type Props = {
  count: number;
  /** Smallest cell width; the grid fits as many columns as the width allows. */
  minCellWidth: number;
  /** A first guess at a row's height; each rendered row is then measured, so a wrong guess only moves the scrollbar. */
  estimateHeight: number;
  gap?: number;
  label: string;
  /**
   * CSS height of the scrolling area, or 'fill': down to the window's bottom edge from wherever the grid starts, so
   * panels above it (filters, bulk actions, recent batches) never push its last row below the screen.
   */
  height: string | 'fill';
  /** With height 'fill': pixels kept free under the grid (the page's padding, a pager). */
  fillBelow?: number;
  activeIndex: number;
  /**
   * Focus entered a tile other than the active one (Tab, a click on one of its buttons): make it the active one, so
   * the highlight, the keys that act on it and what a screen reader announces are the same tile.
   */
  onActivate?: (index: number) => void;
  renderCell: (index: number) => ReactNode;
  onColumns?: (columns: number) => void;
};

/** Smallest height a filling grid takes on a short window (the page scrolls instead). */
const MIN_FILL_PX = 320;

/**
 * The height from the element's top (in the document, so a scrolled window changes nothing) to the window's bottom.
 * Recomputed when the window resizes or anything above the grid grows or shrinks (the body's size changes then).
 */
function useFillHeight(ref: RefObject<HTMLDivElement | null>, on: boolean, below: number): number {
  const [h, setH] = useState(MIN_FILL_PX);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!on || !el) return;
    const update = () => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      setH(Math.max(MIN_FILL_PX, Math.floor(window.innerHeight - top - below)));
    };
    update();
    const ro = new ResizeObserver(update);
    ro.observe(document.body);
    window.addEventListener('resize', update);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', update);
    };
  }, [ref, on, below]);
  return h;
}

/**
 * A virtualised grid: only the rows in view (plus a few) exist in the DOM, so 10,000 thumbnails scroll smoothly.
 * Rows are measured (measureElement), never assumed: a cell as tall as its content pushes the next row down instead of
 * sliding under it, whatever the screen width, photo shape or evidence length.
 * The active cell is scrolled into view and focused, which makes keyboard navigation work with virtual rows; focus
 * entering another cell makes that one active (onActivate). One tile, whichever way the reviewer moves.
 */
export function VirtualGrid({
  count,
  minCellWidth,
  estimateHeight,
  gap = 6,
  label,
  height,
  fillBelow = 24,
  activeIndex,
  onActivate,
  renderCell,
  onColumns,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const filled = useFillHeight(scrollRef, height === 'fill', fillBelow);
  const columns = Math.max(1, Math.floor((width - 8 + gap) / (minCellWidth + gap)));
  useEffect(() => onColumns?.(columns), [columns, onColumns]);
  const rows = Math.ceil(count / columns);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateHeight,
    gap,
    overscan: 4,
  });
  // A new column count reshapes every row: forget the old measurements.
  useEffect(() => virtualizer.measure(), [columns, virtualizer]);

  // The tile still to be focused: its row may not be rendered yet when the active index moves far (a row scrolled into
  // view renders a frame or two later), so every render tries again until it exists.
  const pendingFocus = useRef<number | null>(null);
  const focusPending = useCallback(() => {
    const index = pendingFocus.current;
    const root = scrollRef.current;
    if (index === null || !root) return;
    const cell = root.querySelector<HTMLElement>(`[data-cell="${index}"]`);
    if (!cell) return;
    pendingFocus.current = null;
    // Focus already inside the tile (its label or verdict buttons) stays where the reviewer put it.
    if (cell.contains(document.activeElement)) return;
    cell.querySelector<HTMLElement>(`[data-grid-index="${index}"]`)?.focus({ preventScroll: true });
    // The grid scrolled its own rows; the page may still hide the tile under the window's edge (panels above the grid).
    cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, []);

  useEffect(() => {
    if (activeIndex < 0 || activeIndex >= count) return;
    virtualizer.scrollToIndex(Math.floor(activeIndex / columns), { align: 'auto' });
    // Never steal focus from a form field or an open dialog.
    const active = document.activeElement;
    if (
      active instanceof HTMLElement &&
      active.closest('input, textarea, select, dialog[open]') &&
      !scrollRef.current?.contains(active)
    )
      return;
    pendingFocus.current = activeIndex;
    const id = requestAnimationFrame(focusPending);
    return () => cancelAnimationFrame(id);
  }, [activeIndex, columns, count, virtualizer, focusPending]);
  // Focus entering another tile makes it the active one (a native focusin listener: one for the whole grid).
  const activation = useRef({ onActivate, activeIndex });
  activation.current = { onActivate, activeIndex };
  useEffect(() => {
    const root = scrollRef.current;
    if (!root) return;
    const onFocusIn = (e: FocusEvent) => {
      const cell = (e.target as HTMLElement | null)?.closest?.('[data-cell]');
      const index = cell ? Number(cell.getAttribute('data-cell')) : Number.NaN;
      const { onActivate: activate, activeIndex: current } = activation.current;
      if (activate && Number.isInteger(index) && index !== current) activate(index);
    };
    root.addEventListener('focusin', onFocusIn);
    return () => root.removeEventListener('focusin', onFocusIn);
  }, []);
  // After every render: the pending tile's row may have just appeared.
  useEffect(() => {
    focusPending();
  });

  return (
    <div
      ref={scrollRef}
      role="region"
      aria-label={label}
      className="overflow-y-auto overscroll-contain rounded border border-slate-200 bg-white p-1"
      style={{ height: height === 'fill' ? filled : height }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            data-index={row.index}
            ref={virtualizer.measureElement}
            className="absolute left-0 right-0 top-0 grid"
            style={{
              transform: `translateY(${row.start}px)`,
              gap,
              gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
            }}
          >
            {Array.from({ length: columns }, (_, c) => {
              const index = row.index * columns + c;
              return index < count ? (
                <div key={index} data-cell={index} className="min-w-0">
                  {renderCell(index)}
                </div>
              ) : null;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
