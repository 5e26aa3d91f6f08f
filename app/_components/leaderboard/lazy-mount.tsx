'use client';

import { memo, startTransition, useEffect, useRef, useState } from 'react';

/**
 * Renders its children only once they are about to scroll into view. The charts sit below a
 * long table: drawing them (hundreds of SVG shapes) on load would hold the main thread while
 * nobody can see them yet. Until then, a box of the same height keeps the layout still.
 */
export const LazyMount = memo(function LazyMount({
  minHeight,
  wide,
  className,
  children,
}: {
  minHeight: number;
  wide?: boolean;
  className?: string;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || shown) return;
    if (typeof IntersectionObserver === 'undefined') {
      setShown(true);
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          // A transition: React renders the chart in slices, yielding to scrolling and input.
          startTransition(() => setShown(true));
          io.disconnect();
        }
      },
      { rootMargin: '300px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  return (
    <div ref={ref} className={className} style={{ minHeight: shown ? undefined : minHeight, gridColumn: wide ? '1 / -1' : undefined, minWidth: 0 }} data-mounted={shown ? '1' : '0'}>
      {shown ? children : null}
    </div>
  );
});
