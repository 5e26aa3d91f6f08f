'use client';

/**
 * A row of mutually exclusive choices as an ARIA radio group: one tab stop, arrow keys move the
 * choice. Each option's button carries `data-testid="<testIdPrefix>-<value>"`.
 */
export function RadioSwitch<T extends string>({
  label,
  options,
  value,
  disabled,
  onChange,
  testIdPrefix,
  className = 'mode-switch',
}: {
  label: string;
  options: readonly (readonly [T, string])[];
  value: T;
  /** Locks the choice (the other options are disabled). */
  disabled: boolean;
  onChange: (value: T) => void;
  testIdPrefix: string;
  className?: string;
}) {
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (disabled) return;
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const index = options.findIndex(([v]) => v === value);
    const [next] = options[(index + step + options.length) % options.length];
    onChange(next);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="${testIdPrefix}-${next}"]`)?.focus());
  };
  return (
    <div className={className} role="radiogroup" aria-label={label} data-testid={`${testIdPrefix}-switch`} onKeyDown={onKeyDown}>
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role="radio"
          aria-checked={value === v}
          tabIndex={value === v ? 0 : -1}
          data-testid={`${testIdPrefix}-${v}`}
          disabled={disabled && value !== v}
          onClick={() => onChange(v)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
