'use client';

import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { RecordedPrompt } from './api-types';
import { SendIcon } from './composer';

interface Props {
  prompts: RecordedPrompt[];
  /** The question chosen from the list; null means a random one. */
  selected: string | null;
  onSelect: (questionId: string | null) => void;
  onStart: () => void;
  busy: boolean;
}

/**
 * Recorded mode: both sides answer one of the set's questions from their recorded answers. The
 * default is a random question, since people who pick from a list pick the questions they like
 * (selection bias); choosing one stays possible behind "Choose a question".
 */
export function RecordedPicker({ prompts, selected, onSelect, onStart, busy }: Props) {
  const id = useId();
  const [browsing, setBrowsing] = useState(false);
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

  return (
    <div className="picker" data-testid="recorded-picker">
      <div className="picker-footer">
        <p className="picker-chosen" aria-live="polite" data-testid="picker-chosen">
          {chosen ? (
            <>
              <span className="muted">Question:</span> {chosen.text}
            </>
          ) : (
            <>
              <span className="muted">Question:</span> a random one of {prompts.length}
            </>
          )}
        </p>
        <div className="picker-actions">
          {chosen ? (
            <button type="button" className="button button-ghost" data-testid="random-question" onClick={() => onSelect(null)}>
              Random instead
            </button>
          ) : null}
          <button
            type="button"
            className="button button-ghost"
            aria-expanded={browsing}
            aria-controls={`${id}-browse`}
            data-testid="choose-question"
            onClick={() => setBrowsing((b) => !b)}
          >
            {browsing ? 'Hide the list' : 'Choose a question'}
          </button>
          <button type="button" className="send-button" data-testid="send-button" disabled={busy} onClick={onStart}>
            {busy ? <span className="spinner" aria-hidden="true" /> : <SendIcon />}
            <span className="send-text">Start battle</span>
          </button>
        </div>
      </div>

      {browsing ? (
        <div className="picker-browse" id={`${id}-browse`}>
          <div className="picker-controls">
            <label htmlFor={`${id}-search`} className="visually-hidden">
              Search questions
            </label>
            <input
              id={`${id}-search`}
              // The list opens on request: the search box takes focus, and scrolls into view on a phone.
              autoFocus
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
            <select id={`${id}-category`} className="picker-category" value={category} onChange={(e) => setCategory(e.target.value)}>
              <option value="all">All categories</option>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          {visible.length === 0 ? <p className="picker-empty">No question matches.</p> : null}
          <ul className="picker-list" role="listbox" aria-label="Questions" data-testid="prompt-picker" hidden={visible.length === 0}>
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
        </div>
      ) : null}
    </div>
  );
}
