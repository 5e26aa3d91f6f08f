import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors';
import type { ModelEntry } from '../registry/schema';

/**
 * Images in a prompt: what is accepted (png, jpeg, webp, gif, up to the arena's maxImageBytes), how
 * a body carries one (base64 in JSON), and how it is checked. The type is read from the bytes
 * themselves: a declared type that does not match them is refused.
 */

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** One image per prompt (the first one of a battle). */
export const MAX_IMAGES = 1;

export const imageBodySchema = z.strictObject({
  mediaType: z.string().max(100),
  /** Base64 of the file (a data: URL prefix is accepted and dropped). */
  data: z.string().min(1),
});
export type ImageBody = z.infer<typeof imageBodySchema>;

export interface PromptImage {
  mediaType: ImageType;
  data: Buffer;
  sha256: string;
}

/** Provider kinds whose adapters send image parts (through the AI SDK). */
const IMAGE_KINDS = new Set(['openai-compatible', 'openai', 'anthropic', 'google']);

/** A model that is given images: declared `vision` in the registry, of a kind that can carry them. */
export function seesImages(m: ModelEntry): boolean {
  return m.vision && IMAGE_KINDS.has(m.provider.kind);
}

/** The type the bytes say they are, or null. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const at = (i: number, ...b: number[]) => b.every((x, k) => bytes[i + k] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

function megabytes(n: number): string {
  return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function imageTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The image is too large: at most ${megabytes(maxBytes)} is allowed.`);
}

export function unsupportedImage(): AppError {
  return new AppError('unsupported_media_type', 'Unsupported image: use a PNG, JPEG, WebP or GIF file.');
}

/** Body bytes an image of `maxBytes` takes as base64 in JSON (plus its field names). */
export function imageBodyBytes(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4 * MAX_IMAGES + 1024;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks and decodes one image of a request body; throws a clear AppError when it cannot be used. */
export function decodeImage(body: ImageBody, maxBytes: number): PromptImage {
  let data = body.data;
  const prefix = /^data:([^;,]*);base64,/.exec(data);
  if (prefix) data = data.slice(prefix[0].length);
  const declared = (prefix?.[1] || body.mediaType).toLowerCase();
  if (!(IMAGE_TYPES as readonly string[]).includes(declared)) throw unsupportedImage();
  data = data.replace(/\s+/g, '');
  if (!BASE64.test(data) || data.length % 4 === 1) {
    throw new AppError('validation_failed', 'Invalid request: image: the data is not base64.');
  }
  if (Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0) > maxBytes) throw imageTooLarge(maxBytes);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) throw new AppError('validation_failed', 'Invalid request: image: the file is empty.');
  if (bytes.length > maxBytes) throw imageTooLarge(maxBytes);
  const sniffed = sniffImageType(bytes);
  if (!sniffed) throw unsupportedImage();
  if (sniffed !== declared) {
    throw new AppError('unsupported_media_type', `The image is not the ${declared} file it says it is (it looks like ${sniffed}).`);
  }
  return { mediaType: sniffed, data: bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The marker an export writes in place of an image: type, size and hash, never the bytes. */
export function imageMarker(img: { mediaType: string; bytes: number; sha256: string }): string {
  return `[image ${img.mediaType} ${img.bytes} bytes sha256:${img.sha256}]`;
}
