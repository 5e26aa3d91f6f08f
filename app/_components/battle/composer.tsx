'use client';

import { useId, type FormEvent, type KeyboardEvent, type RefObject } from 'react';

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  maxChars: number;
  /** Null when typing is allowed; otherwise why not (shown in place of the hint). */
  lockedReason: string | null;
  busy: boolean;
  placeholder: string;
  footer?: React.ReactNode;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}

/** The prompt box. Enter sends, Shift+Enter adds a line, Esc leaves the box so 1–4 can vote. */
export function Composer({ value, onChange, onSubmit, maxChars, lockedReason, busy, placeholder, footer, inputRef: ref }: Props) {
  const hintId = useId();
  const tooLong = value.length > maxChars;
  const canSend = !lockedReason && !busy && value.trim().length > 0 && !tooLong;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (canSend) onSubmit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape') {
      ref.current?.blur();
    }
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Prompt">
      <div className={`composer-box${lockedReason ? ' is-locked' : ''}`}>
        <label htmlFor={`${hintId}-input`} className="visually-hidden">
          Your prompt
        </label>
        <textarea
          id={`${hintId}-input`}
          ref={ref}
          data-testid="prompt-input"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={lockedReason ?? placeholder}
          disabled={!!lockedReason}
          rows={2}
          aria-describedby={hintId}
          aria-invalid={tooLong}
        />
        <button type="submit" className="send-button" data-testid="send-button" disabled={!canSend}>
          {busy ? <span className="spinner" aria-hidden="true" /> : <SendIcon />}
          <span className="send-text">Send</span>
        </button>
      </div>
      <div className="composer-meta" id={hintId}>
        <span className={tooLong ? 'is-error' : undefined}>
          {lockedReason ? (
            lockedReason
          ) : tooLong ? (
            `Too long: ${value.length.toLocaleString()} of ${maxChars.toLocaleString()} characters.`
          ) : (
            <span className="key-hint">Enter to send · Shift+Enter for a new line · Esc, then 1–4 to vote</span>
          )}
        </span>
        {footer}
      </div>
    </form>
  );
}

export function SendIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <path d="M3 10h11M10 4l6 6-6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
