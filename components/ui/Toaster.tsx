'use client';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';

export type ToastInput = {
  text: ReactNode;
  kind?: 'success' | 'error' | 'info';
  /** One action, typically Undo; the toast closes when it is used. */
  action?: { label: string; run: () => void };
  /**
   * Names what the toast is about (e.g. one decision): a later toast with the same key replaces it, and
   * useDismissToast closes it, so an Undo is not offered once its action can no longer be undone.
   */
  key?: string;
};
type Toast = ToastInput & { id: number };

const ToastContext = createContext<{ show: (t: ToastInput) => void; dismiss: (key: string) => void }>({
  show: () => {},
  dismiss: () => {},
});

/** Shows a toast: every decision, override and bulk action confirms itself here, with Undo when there is one. */
export function useToast(): (t: ToastInput) => void {
  return useContext(ToastContext).show;
}

/** Closes the toast shown with `key`, if it is still shown (its action was done some other way, or cannot be any more). */
export function useDismissToast(): (key: string) => void {
  return useContext(ToastContext).dismiss;
}

// Long enough to reach for Undo; errors stay until dismissed.
const LIFETIME_MS = 8000;
const MAX_SHOWN = 4;

function ToastItem({ toast, onClose }: { toast: Toast; onClose: (id: number) => void }) {
  useEffect(() => {
    if (toast.kind === 'error') return;
    const t = setTimeout(() => onClose(toast.id), LIFETIME_MS);
    return () => clearTimeout(t);
  }, [toast, onClose]);
  const tone =
    toast.kind === 'error'
      ? 'border-red-300 bg-red-50 text-red-900'
      : toast.kind === 'info'
        ? 'border-blue-200 bg-blue-50 text-blue-900'
        : 'border-green-300 bg-white text-slate-900';
  return (
    <li
      data-testid="toast"
      className={`pointer-events-auto flex items-center gap-3 rounded-lg border px-3 py-2 text-sm shadow-lg ${tone}`}
    >
      <span className="min-w-0 flex-1">{toast.text}</span>
      {toast.action && (
        <button
          type="button"
          className="rounded border border-current px-2 py-0.5 font-medium hover:bg-black/5"
          onClick={() => {
            onClose(toast.id);
            toast.action!.run();
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        aria-label="Dismiss"
        className="rounded px-1 text-slate-500 hover:bg-black/5"
        onClick={() => onClose(toast.id)}
      >
        ×
      </button>
    </li>
  );
}

export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seq = useRef(0);
  const show = useCallback((t: ToastInput) => {
    const id = ++seq.current;
    setToasts((all) => [...all.filter((o) => !t.key || o.key !== t.key), { ...t, id }].slice(-MAX_SHOWN));
  }, []);
  const close = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const dismiss = useCallback((key: string) => setToasts((all) => all.filter((t) => t.key !== key)), []);
  const value = useMemo(() => ({ show, dismiss }), [show, dismiss]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      {/* Bottom-left, clear of the review grids' right-hand scrollbars and the photo drawer. */}
      <ol
        role="status"
        aria-live="polite"
        aria-label="Notifications"
        className="pointer-events-none fixed bottom-4 left-4 z-50 flex w-[min(28rem,calc(100vw-2rem))] flex-col gap-2"
      >
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onClose={close} />
        ))}
      </ol>
    </ToastContext.Provider>
  );
}
