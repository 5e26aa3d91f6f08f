/**
 * Renders public/icon.svg into the PNG icons and favicon.ico beside it (in Chromium, through
 * Playwright), so the icons have one source. Run after changing the SVG: `npx tsx scripts/make-icons.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const PUBLIC = path.resolve(import.meta.dirname, '..', 'public');
const svg = fs.readFileSync(path.join(PUBLIC, 'icon.svg'), 'utf8');

/** file → size in pixels; `pad` leaves the margin that maskable and Apple icons expect. */
const PNGS: { file: string; size: number; pad?: number }[] = [
  { file: 'apple-touch-icon.png', size: 180, pad: 0.1 },
  { file: 'icon-192.png', size: 192 },
  { file: 'icon-512.png', size: 512 },
  { file: 'icon-maskable-512.png', size: 512, pad: 0.12 },
];
const ICO_SIZES = [16, 32, 48];

async function main() {
  const executablePath = fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  const render = async (size: number, pad = 0): Promise<Buffer> => {
    await page.setViewportSize({ width: size, height: size });
    const inset = Math.round(size * pad);
    const background = pad ? '#f6f7f9' : 'transparent';
    await page.setContent(
      `<html><body style="margin:0;background:${background}"><div style="padding:${inset}px;width:${size - 2 * inset}px;height:${size - 2 * inset}px">` +
        svg.replace('<svg ', '<svg width="100%" height="100%" ') +
        '</div></body></html>',
    );
    return page.screenshot({ omitBackground: !pad, type: 'png' });
  };
  for (const { file, size, pad } of PNGS) fs.writeFileSync(path.join(PUBLIC, file), await render(size, pad));
  const images = [];
  for (const size of ICO_SIZES) images.push({ size, png: await render(size) });
  fs.writeFileSync(path.join(PUBLIC, 'favicon.ico'), ico(images));
  await browser.close();
}

/** An ICO file holding PNG images (supported by every browser since Windows Vista's format). */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2);
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

await main();
