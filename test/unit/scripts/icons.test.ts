/**
 * The committed icons (scripts/icons.mjs draws them): every state, theme and size exists and
 * is a valid PNG of the right size (chunk CRCs checked against zlib's CRC-32, so the script's
 * own CRC is checked too), the macOS template images are black and alpha only, light panels
 * get a dark glyph and dark panels a light one, the states look different from each other, the
 * resolver the app uses names files that exist, and the committed files are what the script
 * draws today.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrayIconResolver,
  linuxTraySize,
  macTemplateSize,
  trayIconSizes,
  trayIcoName,
  trayPngName,
  trayTemplateName,
  windowsIcoSizes,
  type PanelTheme,
} from '../../../electron/app/trayIcons.js';
import { trayStates } from '../../../electron/app/trayState.js';

const root = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const trayFolder = path.join(root, 'assets', 'tray');
const themes: PanelTheme[] = ['light', 'dark'];

interface Image {
  width: number;
  height: number;
  rgba: Buffer;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decodes an 8-bit RGBA, non-interlaced PNG, checking its structure on the way. */
function decodePng(bytes: Buffer, name: string): Image {
  expect(bytes.subarray(0, 8).toString('hex'), `${name}: signature`).toBe('89504e470d0a1a0a');
  let offset = 8;
  let header: Buffer | null = null;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    const crc = bytes.readUInt32BE(offset + 8 + length);
    expect(crc, `${name}: CRC of ${type}`).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') header = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  expect(ended, `${name}: IEND`).toBe(true);
  if (header === null) throw new Error(`${name}: no IHDR`);
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8)], `${name}: 8-bit RGBA, deflate, no interlace`).toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  expect(raw.length, `${name}: data length`).toBe((stride + 1) * height);
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 4 ? rgba[y * stride + i - 4]! : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + i]! : 0;
      const c = i >= 4 && y > 0 ? rgba[(y - 1) * stride + i - 4]! : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`${name}: filter type ${filter}`);
      rgba[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

function readPng(file: string): Image {
  return decodePng(readFileSync(file), path.relative(root, file));
}

/** The PNG images inside a .ico, with the sizes its directory gives. */
function readIco(file: string): Array<{ size: number; image: Image }> {
  const bytes = readFileSync(file);
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  const count = bytes.readUInt16LE(4);
  return Array.from({ length: count }, (_, index) => {
    const entry = 6 + 16 * index;
    const size = bytes[entry] === 0 ? 256 : bytes[entry]!;
    expect(bytes[entry + 1]).toBe(bytes[entry]);
    expect(bytes.readUInt16LE(entry + 6)).toBe(32);
    const length = bytes.readUInt32LE(entry + 8);
    const start = bytes.readUInt32LE(entry + 12);
    return { size, image: decodePng(bytes.subarray(start, start + length), `${path.basename(file)}[${index}]`) };
  });
}

function pixels(image: Image): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < image.rgba.length; i += 4) out.push([image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!, image.rgba[i + 3]!]);
  return out;
}

/** Mean luminance (0..1) of the fully opaque pixels. */
function inkLuminance(image: Image): number {
  const opaque = pixels(image).filter(([, , , a]) => a === 255);
  expect(opaque.length).toBeGreaterThan(0);
  return opaque.reduce((sum, [r, g, b]) => sum + (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255, 0) / opaque.length;
}

function coverage(image: Image): number {
  return pixels(image).reduce((sum, [, , , a]) => sum + a / 255, 0) / (image.width * image.height);
}

describe('tray icons for light and dark panels', () => {
  const cases = trayStates.flatMap((state) =>
    themes.flatMap((theme) => trayIconSizes.flatMap((size) => [1, 2].map((scale) => [state, theme, size, scale as 1 | 2] as const))),
  );

  it.each(cases)('%s-%s-%d @%dx is a PNG of the right size', (state, theme, size, scale) => {
    const image = readPng(path.join(trayFolder, trayPngName(state, theme, size, scale)));
    expect([image.width, image.height]).toEqual([size * scale, size * scale]);
    // Something is drawn, and the icon is not a filled square: the panel shows around it.
    expect(coverage(image)).toBeGreaterThan(0.25);
    expect(coverage(image)).toBeLessThan(0.85);
  });

  it.each(trayIconSizes)('at %d px a light panel gets a dark glyph and a dark panel a light one', (size) => {
    for (const state of ['idle', 'paused'] as const) {
      expect(inkLuminance(readPng(path.join(trayFolder, trayPngName(state, 'light', size))))).toBeLessThan(0.25);
      expect(inkLuminance(readPng(path.join(trayFolder, trayPngName(state, 'dark', size))))).toBeGreaterThan(0.8);
    }
  });

  it.each(trayIconSizes.flatMap((size) => themes.map((theme) => [size, theme] as const)))('at %d px (%s) every state looks different', (size, theme) => {
    const images = trayStates.map((state) => readPng(path.join(trayFolder, trayPngName(state, theme, size))));
    for (let a = 0; a < images.length; a++) {
      for (let b = a + 1; b < images.length; b++) {
        // Pixels that differ clearly in alpha or colour, as a share of the icon.
        const pa = pixels(images[a]!);
        const pb = pixels(images[b]!);
        const differing = pa.filter((pixel, index) => pixel.some((value, channel) => Math.abs(value - pb[index]![channel]!) > 64)).length;
        expect(differing / pa.length, `${trayStates[a]} vs ${trayStates[b]}`).toBeGreaterThan(0.02);
      }
    }
  });

  it.each(trayStates.flatMap((state) => themes.map((theme) => [state, theme] as const)))('%s-%s.ico holds 16 to 48 px', (state, theme) => {
    const images = readIco(path.join(trayFolder, trayIcoName(state, theme)));
    expect(images.map((entry) => entry.size)).toEqual([...windowsIcoSizes]);
    for (const { size, image } of images) expect([image.width, image.height]).toEqual([size, size]);
  });
});

describe('macOS template images', () => {
  it.each(trayStates.flatMap((state) => [1, 2].map((scale) => [state, scale as 1 | 2] as const)))('%sTemplate @%dx is black and alpha only', (state, scale) => {
    const image = readPng(path.join(trayFolder, trayTemplateName(state, scale)));
    expect([image.width, image.height]).toEqual([macTemplateSize * scale, macTemplateSize * scale]);
    const all = pixels(image);
    expect(all.filter(([r, g, b]) => r !== 0 || g !== 0 || b !== 0)).toEqual([]);
    expect(all.some(([, , , a]) => a === 255)).toBe(true);
    expect(all.some(([, , , a]) => a === 0)).toBe(true);
  });
});

describe('the app icon', () => {
  it.each([
    ['build/icon.png', 1024],
    ['build/icons/512x512.png', 512],
    ['build/icons/256x256.png', 256],
  ] as const)('%s is %d px square, with transparent corners', (file, size) => {
    const image = readPng(path.join(root, file));
    expect([image.width, image.height]).toEqual([size, size]);
    expect(image.rgba[3]).toBe(0);
    const centre = (Math.floor(size / 2) * size + Math.floor(size / 2)) * 4;
    expect(image.rgba[centre + 3]).toBe(255);
  });
});

describe('createTrayIconResolver', () => {
  const resolve = createTrayIconResolver(trayFolder);

  it.each(trayStates.flatMap((state) => themes.map((theme) => [state, theme] as const)))('names files that exist for %s on %s panels', (state, theme) => {
    expect(resolve(state, theme, 'darwin')).toBe(path.join(trayFolder, `${state}Template.png`));
    expect(resolve(state, theme, 'win32')).toBe(path.join(trayFolder, `${state}-${theme}.ico`));
    expect(resolve(state, theme, 'linux')).toBe(path.join(trayFolder, `${state}-${theme}-${linuxTraySize}.png`));
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const file = resolve(state, theme, platform);
      expect(existsSync(file), file).toBe(true);
      // Electron picks the @2x file beside a PNG on a high-density display.
      if (file.endsWith('.png')) expect(existsSync(file.replace(/\.png$/, '@2x.png')), file).toBe(true);
    }
  });
});

describe('node scripts/icons.mjs', () => {
  let output: string;
  beforeAll(() => {
    output = mkdtempSync(path.join(tmpdir(), 'terasync-icons-'));
    execFileSync(process.execPath, [path.join(root, 'scripts', 'icons.mjs'), '--out-dir', output], { stdio: 'pipe' });
  });
  afterAll(() => {
    rmSync(output, { recursive: true, force: true });
  });

  it('draws exactly the committed images (run `node scripts/icons.mjs` after changing a drawing)', () => {
    const drawn = [
      ...trayStates.flatMap((state) => [
        ...themes.flatMap((theme) => [
          ...trayIconSizes.flatMap((size) => [trayPngName(state, theme, size), trayPngName(state, theme, size, 2)]),
          trayIcoName(state, theme),
        ]),
        trayTemplateName(state),
        trayTemplateName(state, 2),
      ]).map((name) => path.join('assets', 'tray', name)),
      path.join('build', 'icon.png'),
      path.join('build', 'icons', '512x512.png'),
      path.join('build', 'icons', '256x256.png'),
    ];
    for (const file of drawn) {
      const fresh = path.join(output, file);
      expect(existsSync(fresh), file).toBe(true);
      // Pixels, not bytes: another zlib may compress the same image differently.
      if (file.endsWith('.ico')) {
        const committed = readIco(path.join(root, file));
        const redrawn = readIco(fresh);
        expect(redrawn.map((entry) => entry.image.rgba.equals(committed.find((c) => c.size === entry.size)!.image.rgba)), file).not.toContain(false);
      } else {
        expect(readPng(fresh).rgba.equals(readPng(path.join(root, file)).rgba), file).toBe(true);
      }
    }
  });
});
