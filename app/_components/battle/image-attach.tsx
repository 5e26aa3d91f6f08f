'use client';

import { useRef, useState } from 'react';
import type { PromptImage } from './api-types';

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** Reads a file as base64 (the server checks what it is; the page only spares a hopeless upload). */
export function readImage(file: File): Promise<PromptImage> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error('The file could not be read.'));
    reader.onload = () => {
      const url = String(reader.result);
      const comma = url.indexOf(',');
      resolve({ mediaType: file.type || 'application/octet-stream', data: url.slice(comma + 1), url, name: file.name, bytes: file.size });
    };
    reader.readAsDataURL(file);
  });
}

/** "Add image" for the first prompt, with a preview of the chosen image and a way to remove it. */
export function ImageAttach({
  image,
  onChange,
  disabled,
  maxBytes,
}: {
  image: PromptImage | null;
  onChange: (image: PromptImage | null) => void;
  disabled: boolean;
  maxBytes: number;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const choose = (file: File) => {
    setError(null);
    // The server's own words for it, without sending megabytes first.
    if (file.size > maxBytes) {
      setError(`The image is too large: at most ${+(maxBytes / (1024 * 1024)).toFixed(1)} MB is allowed.`);
      onChange(null);
      return;
    }
    readImage(file).then(onChange, (err: Error) => setError(err.message));
  };
  return (
    <div className="image-attach" data-testid="image-attach">
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        className="visually-hidden"
        tabIndex={-1}
        data-testid="image-input"
        aria-hidden="true"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) choose(file);
        }}
      />
      {image ? (
        <div className="image-chip">
          <img src={image.url} alt={`Attached image ${image.name}`} data-testid="image-preview" />
          <span className="image-chip-name">
            {image.name} <span className="muted">· {formatBytes(image.bytes)}</span>
          </span>
          <button type="button" className="button button-ghost" onClick={() => onChange(null)} disabled={disabled} data-testid="image-remove">
            Remove
          </button>
        </div>
      ) : (
        <button type="button" className="button button-ghost" onClick={() => input.current?.click()} disabled={disabled} data-testid="image-add">
          <span aria-hidden="true">+</span> Add image <span className="muted">(PNG, JPEG, WebP or GIF, up to {formatBytes(maxBytes)})</span>
        </button>
      )}
      {error ? (
        <p className="image-error" role="alert" data-testid="image-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
