'use client';

import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { RecordedPrompt } from './api-types';
import { SendIcon } from './composer';

interface Props {
  prompts: RecordedPrompt[];
  selected: string | null;
  onSelect: (questionId: string) => void;
  onStart: () => void;
  busy: boolean;
  lockedReason: string | null;
}

/**
 * Recorded mode: both sides answer one of the set's questions from their recorded answers, so
 * the person picks a question instead of writing one.
 */
export function RecordedPicker({ prompts, selected, onSelect, onStart, busy, lockedReason }: Props) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string>('all');
  const deferredQuery = useDeferredValue(query);

  const categories = useMemo(
    () => Array.from(new Set(prompts.map((p) => p.category).filter((c): c is string => !!c))).sort(),
    [prompts],
  );
  const visible = useMemo(() => {
    const needle = deferredQuery.trim().toLowerCase();
    return prompts.filter(
      (p) =>
        (category === 'all' || p.category === category) &&
        (!needle || p.text.toLowerCase().includes(needle) || (p.category ?? '').toLowerCase().includes(needle)),
    );
  }, [prompts, deferredQuery, category]);
  const chosen = prompts.find((p) => p.questionId === selected) ?? null;

  if (lockedReason) {
    return (
      <div className="picker picker-locked">
        <p className="composer-meta">{lockedReason}</p>
      </div>
    );
  }

  return (
    <div className="picker">
      <div className="picker-controls">
        <label htmlFor={`${id}-search`} className="visually-hidden">
          Search questions
        </label>
        <input
          id={`${id}-search`}
          type="search"
          className="picker-search"
          data-testid="prompt-search"
          placeholder={`Search ${prompts.length} questions`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label htmlFor={`${id}-category`} className="visually-hidden">
          Category
        </label>
        <select
          id={`${id}-category`}
          className="picker-category"
          value={category}
          onChange={(e) => setCategory(e.target.value)}
        >
          <option value="all">All categories</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <ul className="picker-list" role="listbox" aria-label="Questions" data-testid="prompt-picker">
        {visible.length === 0 ? <li className="picker-empty">No question matches.</li> : null}
        {visible.map((p) => (
          <li
            key={p.questionId}
            role="option"
            aria-selected={p.questionId === selected}
            tabIndex={0}
            className="picker-item"
            data-question-id={p.questionId}
            onClick={() => onSelect(p.questionId)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(p.questionId);
              }
            }}
          >
            <span className="picker-text">{p.text}</span>
            {p.category ? <span className="category-tag">{p.category}</span> : null}
          </li>
        ))}
      </ul>
      <div className="picker-footer">
        <p className="picker-chosen" aria-live="polite">
          {chosen ? (
            <>
              <span className="muted">Selected:</span> {chosen.text}
            </>
          ) : (
            <span className="muted">Pick a question to start.</span>
          )}
        </p>
        <button type="button" className="send-button" data-testid="send-button" disabled={!chosen || busy} onClick={onStart}>
          {busy ? <span className="spinner" aria-hidden="true" /> : <SendIcon />}
          <span className="send-text">Start battle</span>
        </button>
      </div>
    </div>
  );
}
