'use client';

import { useEffect, useId, useRef } from 'react';

/**
 * A modal question in a native <dialog>: the browser keeps focus inside it, Esc cancels, and focus
 * returns to where it was when it closes.
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirm,
  cancel,
  onConfirm,
  onCancel,
  testId,
}: {
  open: boolean;
  title: string;
  body: string;
  confirm: string;
  cancel: string;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-body`}>{body}</p>
      <div className="confirm-actions">
        <button type="button" className="button button-secondary" onClick={onCancel} data-testid={`${testId}-cancel`} autoFocus>
          {cancel}
        </button>
        <button type="button" className="button button-primary" onClick={onConfirm} data-testid={`${testId}-confirm`}>
          {confirm}
        </button>
      </div>
    </dialog>
  );
}
