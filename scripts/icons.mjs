/**
 * Draws TeraSync's tray icons and app icon, with nothing but Node (PNG by hand: zlib for the
 * compression, our own CRC-32), so that the images are reproducible from this file.
 *
 *   node scripts/icons.mjs                writes assets/tray/ and build/ in the repository
 *   node scripts/icons.mjs --out-dir DIR  writes DIR/assets/tray/ and DIR/build/ instead
 *
 * The generated files are committed; run this after changing a drawing and commit them again
 * (test/unit/scripts/icons.test.ts fails while they differ from what this draws).
 *
 * Tray icons: a cloud with a badge at its lower right, one per state (see
 * electron/app/trayState.ts): idle a check, syncing two circling arrows, paused two bars,
 * offline a slash (and the cloud dimmed), error an exclamation mark, conflicts two documents,
 * failsafe a shield. The glyph is cut out of the badge, so it shows the panel through it.
 * The badge is coloured where the state asks for attention (blue, red, orange, purple) and
 * the glyph also tells the states apart without colour.
 *
 *   assets/tray/<state>-<light|dark>-<16|22|24|32>.png (+ @2x)   light panels get a dark
 *                                                               glyph, dark panels a light one
 *   assets/tray/<state>-<light|dark>.ico                         Windows: 16 to 48 px in one file
 *   assets/tray/<state>Template.png (+ @2x)                      macOS: black and alpha only
 *   build/icon.png (1024), build/icons/512x512.png, 256x256.png   the app icon, for electron-builder
 *
 * Shapes are signed distance functions in a unit square (y down); a pixel's coverage is its
 * centre's distance to the edge, in pixels, clamped: smooth edges at every size from one
 * drawing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const repositoryRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export const TRAY_STATES = ['idle', 'syncing', 'paused', 'offline', 'error', 'conflicts', 'failsafe'];
export const THEMES = ['light', 'dark'];
export const TRAY_SIZES = [16, 22, 24, 32];
export const ICO_SIZES = [16, 20, 24, 32, 40, 48];
export const TEMPLATE_SIZE = 16;
export const APP_ICON_SIZES = [256, 512];
export const APP_ICON_MAIN_SIZE = 1024;

// ---------------------------------------------------------------------------------------------
// CRC-32 (ISO 3309, as PNG uses it: reflected polynomial 0xEDB88320, initial and final XOR
// 0xFFFFFFFF).

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes` (a Uint8Array or Buffer), as an unsigned 32-bit number. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// PNG and ICO files.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * Each scanline with the filter that makes it smallest by the usual measure (the sum of the
 * filtered bytes taken as signed), which compresses far better than no filter on gradients.
 */
function filterScanlines(width, height, rgba) {
  const stride = width * 4;
  const out = Buffer.alloc((stride + 1) * height);
  const candidate = Buffer.alloc(stride);
  let best = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let bestType = 0;
    let bestScore = Infinity;
    for (let type = 0; type <= 4; type++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const x = rgba[row + i];
        const a = i >= 4 ? rgba[row + i - 4] : 0;
        const b = y > 0 ? rgba[row - stride + i] : 0;
        const c = i >= 4 && y > 0 ? rgba[row - stride + i - 4] : 0;
        const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const value = (x - predictor) & 0xff;
        candidate[i] = value;
        score += value < 128 ? value : 256 - value;
      }
      if (score < bestScore) {
        bestScore = score;
        bestType = type;
        best = Buffer.from(candidate);
      }
    }
    out[y * (stride + 1)] = bestType;
    best.copy(out, y * (stride + 1) + 1);
  }
  return out;
}

/** An 8-bit RGBA PNG (colour type 6, no interlace) of `rgba` (width * height * 4 bytes, straight alpha). */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  header[10] = 0; // deflate
  header[11] = 0; // adaptive filtering
  header[12] = 0; // no interlace
  const data = deflateSync(filterScanlines(width, height, rgba), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}

/** A Windows .ico holding PNG images (supported since Windows Vista), smallest first. */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry[0] = size >= 256 ? 0 : size;
    entry[1] = size >= 256 ? 0 : size;
    entry[2] = 0; // no palette
    entry[3] = 0;
    entry.writeUInt16LE(1, 4); // planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

// ---------------------------------------------------------------------------------------------
// Signed distance functions: negative inside, in the units of the unit square.

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

function circle(x, y, cx, cy, r) {
  return Math.hypot(x - cx, y - cy) - r;
}

/** A box centred at (cx, cy) with half sizes hw, hh and corner radius r. */
function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - (hw - r);
  const qy = Math.abs(y - cy) - (hh - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** A stroke from (ax, ay) to (bx, by), half width hw, round ends. */
function segment(x, y, ax, ay, bx, by, hw) {
  const px = x - ax;
  const py = y - ay;
  const ex = bx - ax;
  const ey = by - ay;
  const t = clamp((px * ex + py * ey) / (ex * ex + ey * ey), 0, 1);
  return Math.hypot(px - ex * t, py - ey * t) - hw;
}

/** A closed polygon, vertices as [x, y] pairs. */
function polygon(x, y, points) {
  let distance = Infinity;
  let sign = 1;
  for (let i = 0, j = points.length - 1; i < points.length; j = i, i++) {
    const [ix, iy] = points[i];
    const [jx, jy] = points[j];
    const ex = jx - ix;
    const ey = jy - iy;
    const wx = x - ix;
    const wy = y - iy;
    const t = clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0, 1);
    distance = Math.min(distance, Math.hypot(wx - ex * t, wy - ey * t));
    const above = y >= iy;
    const below = y < jy;
    const left = ex * wy > ey * wx;
    if ((above && below && left) || (!above && !below && !left)) sign = -sign;
  }
  return sign * distance;
}

/** An arc of a ring (radius r, half width hw) from angle a0 to a1 (radians, increasing clockwise on screen). */
function arc(x, y, cx, cy, r, hw, a0, a1) {
  const dx = x - cx;
  const dy = y - cy;
  const span = (((a1 - a0) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  const angle = (((Math.atan2(dy, dx) - a0) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  if (angle <= span) return Math.abs(Math.hypot(dx, dy) - r) - hw;
  const end0 = Math.hypot(x - (cx + r * Math.cos(a0)), y - (cy + r * Math.sin(a0)));
  const end1 = Math.hypot(x - (cx + r * Math.cos(a1)), y - (cy + r * Math.sin(a1)));
  return Math.min(end0, end1) - hw;
}

/** The head of an arrow at the end (angle a1) of an arc, pointing along it. */
function arcHead(x, y, cx, cy, r, hw, a1) {
  const ex = cx + r * Math.cos(a1);
  const ey = cy + r * Math.sin(a1);
  const nx = Math.cos(a1);
  const ny = Math.sin(a1);
  const tx = -ny;
  const ty = nx;
  const wide = hw * 2.5;
  const long = hw * 2.6;
  return polygon(x, y, [
    [ex + nx * wide, ey + ny * wide],
    [ex + tx * long, ey + ty * long],
    [ex - nx * wide, ey - ny * wide],
  ]);
}

const union = (...distances) => Math.min(...distances);
const subtract = (a, b) => Math.max(a, -b);

// ---------------------------------------------------------------------------------------------
// The drawings.

/** The tray cloud: a body and two puffs, leaving the lower right to the badge. */
function trayCloud(x, y) {
  return union(roundedBox(x, y, 0.46, 0.645, 0.44, 0.155, 0.155), circle(x, y, 0.53, 0.43, 0.28), circle(x, y, 0.25, 0.55, 0.185));
}

const BADGE = { cx: 0.71, cy: 0.71, r: 0.29, gap: 0.07 };

const DEG = Math.PI / 180;

/** Glyphs in badge units: u, v in [-1, 1] across the badge, v down. */
const GLYPHS = {
  idle: (u, v) => union(segment(u, v, -0.5, 0.02, -0.14, 0.38, 0.16), segment(u, v, -0.14, 0.38, 0.52, -0.32, 0.16)),
  syncing: (u, v) =>
    union(
      arc(u, v, 0, 0, 0.5, 0.14, -165 * DEG, -40 * DEG),
      arcHead(u, v, 0, 0, 0.5, 0.14, -40 * DEG),
      arc(u, v, 0, 0, 0.5, 0.14, 15 * DEG, 140 * DEG),
      arcHead(u, v, 0, 0, 0.5, 0.14, 140 * DEG),
    ),
  paused: (u, v) => union(roundedBox(u, v, -0.25, 0, 0.13, 0.45, 0.05), roundedBox(u, v, 0.25, 0, 0.13, 0.45, 0.05)),
  offline: (u, v) => segment(u, v, -0.42, 0.42, 0.42, -0.42, 0.16),
  error: (u, v) => union(segment(u, v, 0, -0.5, 0, 0.1, 0.16), circle(u, v, 0, 0.47, 0.17)),
  conflicts: (u, v) => {
    const back = roundedBox(u, v, -0.17, -0.15, 0.29, 0.37, 0.06);
    const front = roundedBox(u, v, 0.17, 0.15, 0.29, 0.37, 0.06);
    return union(front, subtract(back, front - 0.13));
  },
  failsafe: (u, v) =>
    polygon(u, v, [
      [0, -0.62],
      [0.5, -0.42],
      [0.48, 0.02],
      [0.38, 0.3],
      [0.2, 0.5],
      [0, 0.63],
      [-0.2, 0.5],
      [-0.38, 0.3],
      [-0.48, 0.02],
      [-0.5, -0.42],
    ]),
};

const INK = { light: [0x20, 0x21, 0x24], dark: [0xf1, 0xf3, 0xf4], template: [0, 0, 0] };

/** Badge colours where the state asks for attention; elsewhere the badge is ink. */
const ACCENT = {
  syncing: { light: [0x1a, 0x73, 0xe8], dark: [0x4c, 0x9c, 0xff] },
  error: { light: [0xd9, 0x30, 0x25], dark: [0xff, 0x5f, 0x52] },
  conflicts: { light: [0xe0, 0x6c, 0x00], dark: [0xff, 0xa0, 0x4d] },
  failsafe: { light: [0x84, 0x30, 0xce], dark: [0xc5, 0x8a, 0xf9] },
};

/** The offline cloud is dimmed: the service is out of reach. */
const CLOUD_OPACITY = { offline: 0.5 };

/** The layers of a tray icon, bottom first. `variant` is 'light', 'dark' or 'template'. */
function trayLayers(state, variant) {
  const ink = INK[variant];
  const badgeColour = variant === 'template' ? ink : (ACCENT[state]?.[variant] ?? ink);
  const glyph = GLYPHS[state];
  const badge = (x, y) => circle(x, y, BADGE.cx, BADGE.cy, BADGE.r);
  return [
    { distance: (x, y) => subtract(trayCloud(x, y), badge(x, y) - BADGE.gap), colour: () => ink, opacity: CLOUD_OPACITY[state] ?? 1 },
    { distance: (x, y) => subtract(badge(x, y), glyph((x - BADGE.cx) / BADGE.r, (y - BADGE.cy) / BADGE.r) * BADGE.r), colour: () => badgeColour, opacity: 1 },
  ];
}

function mix(a, b, t) {
  return a.map((value, index) => value + (b[index] - value) * t);
}

/** The app icon: a blue rounded square (macOS proportions: 824 of 1024), a white cloud, two arrows cut out of it. */
function appLayers() {
  const top = [0x4a, 0x9b, 0xff];
  const bottom = [0x15, 0x5b, 0xd4];
  const cloud = (x, y) => union(roundedBox(x, y, 0.5, 0.6, 0.3, 0.12, 0.12), circle(x, y, 0.56, 0.46, 0.185), circle(x, y, 0.36, 0.535, 0.13));
  const arrows = (x, y) => {
    const u = (x - 0.5) / 0.13;
    const v = (y - 0.57) / 0.13;
    return GLYPHS.syncing(u, v) * 0.13;
  };
  return [
    { distance: (x, y) => roundedBox(x, y, 0.5, 0.5, 0.4023, 0.4023, 0.09), colour: (_x, y) => mix(top, bottom, clamp((y - 0.1) / 0.8, 0, 1)), opacity: 1 },
    { distance: (x, y) => subtract(cloud(x, y), arrows(x, y)), colour: () => [0xff, 0xff, 0xff], opacity: 1 },
  ];
}

/** Renders layers (bottom first) to straight-alpha RGBA; a fully transparent pixel is black. */
export function render(size, layers) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size;
      const y = (py + 0.5) / size;
      let alpha = 0;
      let colour = [0, 0, 0];
      for (const layer of layers) {
        const coverage = clamp(0.5 - layer.distance(x, y) * size, 0, 1) * layer.opacity;
        if (coverage <= 0) continue;
        const outAlpha = coverage + alpha * (1 - coverage);
        const layerColour = layer.colour(x, y);
        colour = colour.map((value, index) => (layerColour[index] * coverage + value * alpha * (1 - coverage)) / outAlpha);
        alpha = outAlpha;
      }
      const offset = (py * size + px) * 4;
      const a = Math.round(alpha * 255);
      rgba[offset + 3] = a;
      if (a === 0) continue;
      rgba[offset] = Math.round(colour[0]);
      rgba[offset + 1] = Math.round(colour[1]);
      rgba[offset + 2] = Math.round(colour[2]);
    }
  }
  return rgba;
}

function png(size, layers) {
  return encodePng(size, size, render(size, layers));
}

/** Every file this script writes: path relative to the output root, and its bytes. */
export function drawAll() {
  const files = [];
  const tray = (name, bytes) => files.push({ path: `assets/tray/${name}`, bytes });
  for (const state of TRAY_STATES) {
    for (const theme of THEMES) {
      const layers = trayLayers(state, theme);
      for (const size of TRAY_SIZES) {
        tray(`${state}-${theme}-${size}.png`, png(size, layers));
        tray(`${state}-${theme}-${size}@2x.png`, png(size * 2, layers));
      }
      tray(`${state}-${theme}.ico`, encodeIco(ICO_SIZES.map((size) => ({ size, png: png(size, layers) }))));
    }
    const template = trayLayers(state, 'template');
    tray(`${state}Template.png`, png(TEMPLATE_SIZE, template));
    tray(`${state}Template@2x.png`, png(TEMPLATE_SIZE * 2, template));
  }
  const app = appLayers();
  files.push({ path: 'build/icon.png', bytes: png(APP_ICON_MAIN_SIZE, app) });
  for (const size of APP_ICON_SIZES) files.push({ path: `build/icons/${size}x${size}.png`, bytes: png(size, app) });
  return files;
}

export function writeAll(outputRoot) {
  const files = drawAll();
  for (const file of files) {
    const target = path.join(outputRoot, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.bytes);
  }
  return files;
}

function main(argv) {
  let outputRoot = repositoryRoot;
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === '--out-dir' && argv[index + 1] !== undefined && !argv[index + 1].startsWith('--')) {
      outputRoot = path.resolve(argv[index + 1]);
      index++;
    } else {
      console.error(`Unknown option ${argv[index]}.\nUsage: node scripts/icons.mjs [--out-dir DIR]`);
      process.exit(2);
    }
  }
  const files = writeAll(outputRoot);
  const bytes = files.reduce((sum, file) => sum + file.bytes.length, 0);
  console.log(`Wrote ${files.length} icon files (${(bytes / 1024).toFixed(1)} kB) under ${path.relative(process.cwd(), outputRoot) || '.'}.`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
