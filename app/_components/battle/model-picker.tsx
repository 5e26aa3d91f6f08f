'use client';

import { useEffect, useId, useState } from 'react';
import { withBasePath } from '@/lib/base-path';
import { namedModelsSchema, type NamedModel } from './api-types';

/**
 * The models offered by name, for side by side and direct chat. Fetched only when one of those
 * modes is chosen: the anonymous battle never loads this list.
 */
export function useNamedModels(wanted: boolean): { models: NamedModel[] | null; error: string | null } {
  const [models, setModels] = useState<NamedModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!wanted || models) return;
    const controller = new AbortController();
    fetch(withBasePath('/api/arena/models'), { signal: controller.signal, cache: 'no-store' })
      .then(async (res) => {
        const parsed = namedModelsSchema.safeParse(await res.json());
        if (!res.ok || !parsed.success) throw new Error('bad answer');
        setModels(parsed.data.models);
      })
      .catch(() => {
        if (!controller.signal.aborted) setError('The list of models could not be loaded. Reload the page to try again.');
      });
    return () => controller.abort();
  }, [wanted, models]);
  return { models, error };
}

/** One or two model choosers (side by side: A on the left, B on the right). */
export function ModelPicker({
  models,
  slots,
  value,
  onChange,
  disabled,
}: {
  models: NamedModel[];
  slots: 1 | 2;
  value: [string, string];
  onChange: (value: [string, string]) => void;
  disabled: boolean;
}) {
  const id = useId();
  const labels = slots === 1 ? ['Model'] : ['Model A (left)', 'Model B (right)'];
  const testIds = slots === 1 ? ['pick-model'] : ['pick-a', 'pick-b'];
  return (
    <div className={`model-picker model-picker-${slots}`} data-testid="model-picker">
      {labels.map((label, k) => (
        <label key={label} className="model-picker-field" htmlFor={`${id}-${k}`}>
          <span>{label}</span>
          <select
            id={`${id}-${k}`}
            data-testid={testIds[k]}
            value={value[k]}
            disabled={disabled}
            onChange={(e) => onChange(k === 0 ? [e.target.value, value[1]] : [value[0], e.target.value])}
          >
            <option value="">Choose a model…</option>
            {models.map((m) => (
              <option key={m.id} value={m.id} disabled={slots === 2 && value[1 - k] === m.id}>
                {m.name} · {m.organization}
                {m.vision ? ' · sees images' : ''}
              </option>
            ))}
          </select>
        </label>
      ))}
    </div>
  );
}
