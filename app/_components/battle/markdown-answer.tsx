'use client';

import { memo } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

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

export const MarkdownAnswer = memo(function MarkdownAnswer({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={remarkPlugins} components={components}>
        {text}
      </Markdown>
    </div>
  );
});
