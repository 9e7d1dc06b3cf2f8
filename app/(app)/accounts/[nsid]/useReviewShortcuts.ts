'use client';
import { useEffect, useRef } from 'react';

export type ReviewKeyHandlers = {
  approve: () => void;
  reject: () => void;
  reason: (index: number) => void;
  note: () => void;
  undo: () => void;
  move: (delta: number | 'row-up' | 'row-down') => void;
  enlarge: () => void;
  help: () => void;
  escape: () => void;
};

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || !!target.closest('input, textarea, select'))
  );
}

/** The review page's keyboard: A, R then 1–7, N, J/K and arrows, Space, Z, ?. Ignored while typing or in a dialog. */
export function useReviewShortcuts(handlers: ReviewKeyHandlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const h = ref.current;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const inGridOrBody =
        e.target === document.body ||
        (e.target instanceof HTMLElement && !!e.target.closest('[data-review-grid]'));
      const actions: Record<string, () => void> = {
        a: h.approve,
        r: h.reject,
        n: h.note,
        z: h.undo,
        '?': h.help,
        Escape: h.escape,
        j: () => h.move(1),
        k: () => h.move(-1),
        ArrowRight: () => h.move(1),
        ArrowLeft: () => h.move(-1),
        ArrowDown: () => h.move('row-down'),
        ArrowUp: () => h.move('row-up'),
      };
      if (key >= '1' && key <= '9') actions[key] = () => h.reason(Number(key) - 1);
      if (key === ' ' && inGridOrBody) actions[' '] = h.enlarge;
      const action = actions[key];
      if (!action) return;
      e.preventDefault();
      action();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
