import { describe, expect, it } from 'vitest';
import { makePng, NOT_AN_IMAGE } from '../../e2e/fixtures/images';
import { modelEntrySchema } from '../registry/schema';
import { decodeImage, imageBodyBytes, imageMarker, seesImages, sniffImageType } from './images';

const MB = 1024 * 1024;
const b64 = (b: Buffer) => b.toString('base64');

describe('prompt images', () => {
  it('knows the four accepted types by their bytes', () => {
    expect(sniffImageType(makePng(2, 2))).toBe('image/png');
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageType(NOT_AN_IMAGE)).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('decodes a PNG, from plain base64 or a data URL, with its hash', () => {
    const png = makePng(4, 4);
    const a = decodeImage({ mediaType: 'image/png', data: b64(png) }, MB);
    const b = decodeImage({ mediaType: 'ignored', data: `data:image/png;base64,${b64(png)}` }, MB);
    expect(a.data.equals(png)).toBe(true);
    expect(a.mediaType).toBe('image/png');
    expect(b.sha256).toBe(a.sha256);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses other types, a type that lies, bad base64, empty and oversized files with clear errors', () => {
    const png = makePng(4, 4);
    expect(() => decodeImage({ mediaType: 'image/svg+xml', data: b64(png) }, MB)).toThrow(expect.objectContaining({ code: 'unsupported_media_type', status: 415 }));
    expect(() => decodeImage({ mediaType: 'image/png', data: b64(NOT_AN_IMAGE) }, MB)).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
    expect(() => decodeImage({ mediaType: 'image/jpeg', data: b64(png) }, MB)).toThrow(/not the image\/jpeg file it says it is \(it looks like image\/png\)/);
    expect(() => decodeImage({ mediaType: 'image/png', data: 'not base64!' }, MB)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => decodeImage({ mediaType: 'image/png', data: '====' }, MB)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    const big = Buffer.concat([png, Buffer.alloc(2 * MB)]);
    expect(() => decodeImage({ mediaType: 'image/png', data: b64(big) }, MB)).toThrow(expect.objectContaining({ code: 'payload_too_large', message: 'The image is too large: at most 1 MB is allowed.' }));
    // Exactly at the limit is fine.
    const exact = Buffer.concat([png, Buffer.alloc(MB - png.length)]);
    expect(decodeImage({ mediaType: 'image/png', data: b64(exact) }, MB).data.length).toBe(MB);
  });

  it('leaves room in the body for an image at the limit, as base64', () => {
    expect(imageBodyBytes(MB)).toBeGreaterThan(Math.ceil(MB / 3) * 4);
    expect(imageMarker({ mediaType: 'image/png', bytes: 12, sha256: 'ab' })).toBe('[image image/png 12 bytes sha256:ab]');
  });
});

describe('which models are given images', () => {
  const entry = (provider: Record<string, unknown>, vision?: boolean) => modelEntrySchema.parse({ id: 'm', name: 'M', provider, ...(vision === undefined ? {} : { vision }) });
  it('only models declared vision, of a kind that carries image parts', () => {
    expect(seesImages(entry({ kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', model: 'x' }, true))).toBe(true);
    expect(seesImages(entry({ kind: 'anthropic', model: 'x' }, true))).toBe(true);
    expect(seesImages(entry({ kind: 'google', model: 'x' }))).toBe(false);
    expect(seesImages(entry({ kind: 'gguf', path: '/m.gguf' }, true))).toBe(false);
  });
});
