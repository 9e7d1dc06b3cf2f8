'use client';
import { useEffect, useRef } from 'react';

export type Shortcut = { keys: string; action: string };

/** The `?` overlay: every shortcut of the page. */
export function ShortcutsDialog({
  open,
  onClose,
  shortcuts,
}: {
  open: boolean;
  onClose: () => void;
  shortcuts: Shortcut[];
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (open && d && !d.open) d.showModal();
    if (!open && d?.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby="shortcuts-title"
      className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl backdrop:bg-black/40"
    >
      <div className="p-4">
        <h2 id="shortcuts-title" className="mb-3 text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <table className="w-full text-sm">
          <tbody>
            {shortcuts.map((s) => (
              <tr key={s.keys} className="border-t">
                <td className="py-1 pr-3">
                  <kbd className="rounded border bg-slate-50 px-1.5 font-mono text-xs">{s.keys}</kbd>
                </td>
                <td>{s.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          type="button"
          onClick={() => ref.current?.close()}
          className="mt-4 rounded border px-3 py-1 text-sm hover:bg-slate-100"
          autoFocus
        >
          Close
        </button>
      </div>
    </dialog>
  );
}
