'use client';

import { memo, useEffect, useMemo, useState, type CSSProperties } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { splitBlocks } from './answer-blocks';

/**
 * A model's answer as Markdown. No raw HTML is ever rendered: react-markdown without
 * rehype-raw turns HTML in the answer into plain text, so `<script>` or `<img onerror>` shows
 * up as the characters the model wrote. Links open in a new tab without a referrer, unsafe
 * protocols (javascript:, data:) are stripped by react-markdown's URL filter, and images become
 * links so an answer cannot make the browser fetch anything by itself.
 */
const components: Components = {
  // A link whose URL was stripped as unsafe stays visible as plain text.
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
        {children}
      </a>
    ) : (
      <span className="md-unsafe-link">{children}</span>
    ),
  img: ({ src, alt }) => {
    const label = alt ? `Image: ${alt}` : 'Image';
    return typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow ugc" className="md-image-link">
        {label}
      </a>
    ) : (
      <span className="md-image-link">{label}</span>
    );
  },
  table: ({ children }) => (
    <div className="md-table-wrap">
      <table>{children}</table>
    </div>
  ),
};

const remarkPlugins = [remarkGfm];

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <Markdown remarkPlugins={remarkPlugins} components={components}>
      {text}
    </Markdown>
  );
});

/** Characters of new blocks rendered in one task; the rest follow in later tasks. */
const RENDER_BUDGET = 12_000;

/**
 * Off-screen blocks of a long answer skip layout and paint until they are scrolled to; the
 * intrinsic size keeps the scroll height close to the real one meanwhile.
 */
const LONG_BLOCK_STYLE: CSSProperties = { contentVisibility: 'auto', containIntrinsicSize: 'auto 600px' };

/**
 * How many of `blocks` to render now: all that were rendered before, plus new ones up to
 * RENDER_BUDGET characters a task, so a long answer arriving at once (or a finished one mounting)
 * is parsed over several short tasks instead of one long one.
 */
function useProgressiveCount(blocks: string[]): number {
  const [shown, setShown] = useState(() => countWithin(blocks, 0));
  const target = blocks.length;
  useEffect(() => {
    if (shown >= target) return;
    const timer = setTimeout(() => setShown((n) => countWithin(blocks, n)), 0);
    return () => clearTimeout(timer);
  }, [blocks, shown, target]);
  // The block being streamed into is always shown (it replaces the one that was there).
  return Math.min(target, Math.max(shown, 1));
}

function countWithin(blocks: string[], from: number): number {
  let n = from;
  let chars = 0;
  while (n < blocks.length && (n === from || chars + blocks[n].length <= RENDER_BUDGET)) chars += blocks[n++].length;
  return n;
}

export const MarkdownAnswer = memo(function MarkdownAnswer({ text }: { text: string }) {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  const shown = useProgressiveCount(blocks);
  const long = blocks.length > 1;
  return (
    <div className="markdown">
      {blocks.slice(0, shown).map((block, i) =>
        long ? (
          <div key={i} style={LONG_BLOCK_STYLE}>
            <MarkdownBlock text={block} />
          </div>
        ) : (
          <MarkdownBlock key={i} text={block} />
        ),
      )}
      {shown < blocks.length ? <p className="answer-note">Showing the rest of the answer…</p> : null}
    </div>
  );
});
