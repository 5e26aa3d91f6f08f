import type { Side } from './state';

/**
 * Re-frames the text of both sides before it goes on the wire, the same way for every provider.
 *
 * A provider streams one token a chunk, so relaying its chunks as they come would hand the
 * browser each side's token count and characters per token: a fingerprint of the model's
 * tokenizer, which the battle keeps hidden until the vote. Here a side's text is buffered and
 * sent in frames whose sizes are whole multiples of `unitChars` (the last frame of an answer takes
 * the remainder), at most one frame per side every `frameMs`, each at most `maxFrameChars` long.
 * Frame boundaries therefore fall where the character count says, never where a token ended, and
 * what is left to see is the answer's length and its pace (see the README, "Blindness").
 *
 * With `startTogether`, nothing of either side is sent until both have a first frame (or have
 * ended): the page then cannot see which model was first to answer.
 *
 * Framing also bounds the relay work: one JSON line per frame instead of one per token.
 */

export interface FramingOptions {
  /** At most one frame per side in this many milliseconds (0: as soon as a unit is ready). */
  frameMs: number;
  /** Frame sizes are multiples of this many UTF-16 code units (except an answer's last frame). */
  unitChars: number;
  /** The longest frame; more text waiting is sent as several frames at once. */
  maxFrameChars: number;
  /** Hold both sides until each has its first frame or has ended. */
  startTogether: boolean;
}

export const DEFAULT_UNIT_CHARS = 16;
export const DEFAULT_MAX_FRAME_CHARS = 64 * 1024;

export type FramedEvent<E> = { type: 'delta'; side: Side; text: string } | (E & { side: Side });

interface SideBuffer {
  text: string;
  lastSent: number;
  timer: ReturnType<typeof setTimeout> | null;
  ended: boolean;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A framer for one turn. `delta` adds text of a side; `end` sends what the side still holds and
 * then its closing event (done or error); `close` stops the timers (the turn is over).
 */
export function deltaFramer<E extends { side: Side }>(
  sides: readonly Side[],
  emit: (event: FramedEvent<E>) => void,
  options: FramingOptions,
  now: () => number = () => performance.now(),
) {
  const unit = Math.max(1, options.unitChars);
  const maxFrame = Math.max(unit, Math.floor(options.maxFrameChars / unit) * unit);
  const buffers = new Map<Side, SideBuffer>(sides.map((s) => [s, { text: '', lastSent: -Infinity, timer: null, ended: false }]));

  // Start together: events wait here until every side has shown something.
  let released = !options.startTogether;
  const started = new Set<Side>();
  const held: FramedEvent<E>[] = [];
  const release = () => {
    released = true;
    const waiting = held.splice(0);
    // Each side's first event goes out before anything more of either side.
    const firsts = new Set(sides.map((s) => waiting.find((e) => e.side === s)).filter((e) => e !== undefined));
    for (const e of waiting) if (firsts.has(e)) emit(e);
    for (const e of waiting) if (!firsts.has(e)) emit(e);
    for (const s of sides) consider(s);
  };
  const out = (event: FramedEvent<E>) => {
    if (released) return emit(event);
    held.push(event);
    started.add(event.side);
    if (sides.every((s) => started.has(s))) release();
  };

  const send = (side: Side, all: boolean) => {
    const b = buffers.get(side)!;
    if (b.timer) {
      clearTimeout(b.timer);
      b.timer = null;
    }
    let n = all ? b.text.length : Math.floor(b.text.length / unit) * unit;
    // Never split a surrogate pair between two frames.
    if (!all && n > 0 && isHighSurrogate(b.text.charCodeAt(n - 1))) n -= 1;
    if (n <= 0) return;
    const ready = b.text.slice(0, n);
    b.text = b.text.slice(n);
    b.lastSent = now();
    for (let i = 0; i < ready.length; ) {
      let end = Math.min(ready.length, i + maxFrame);
      if (end < ready.length && isHighSurrogate(ready.charCodeAt(end - 1))) end -= 1;
      out({ type: 'delta', side, text: ready.slice(i, end) });
      i = end;
    }
  };

  const consider = (side: Side) => {
    const b = buffers.get(side)!;
    if (b.ended || b.timer || b.text.length < unit) return;
    // A side that has shown its first words waits for the other before it shows more.
    if (!released && started.has(side)) return;
    const wait = b.lastSent + options.frameMs - now();
    if (wait <= 0) send(side, false);
    else
      b.timer = setTimeout(() => {
        b.timer = null;
        send(side, false);
        consider(side);
      }, wait);
  };

  return {
    delta(side: Side, text: string) {
      const b = buffers.get(side);
      if (!b || b.ended || !text) return;
      b.text += text;
      consider(side);
    },
    /** The side's closing event, after whatever text it still holds. */
    end(event: E) {
      const b = buffers.get(event.side);
      if (!b || b.ended) return;
      send(event.side, true);
      b.ended = true;
      out(event as FramedEvent<E>);
    },
    close() {
      // A turn that ends with a side still held (it cannot, but never lose events).
      if (!released) release();
      for (const b of buffers.values()) {
        if (b.timer) clearTimeout(b.timer);
        b.timer = null;
      }
    },
  };
}
