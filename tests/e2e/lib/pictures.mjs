// Generated product pictures for the test shop: an RGB raster with a background,
// a "product" shape and a label drawn with a 5×7 bitmap font, encoded as PNG
// (zlib from node) or baseline JPEG (a small encoder below). Everything is a
// pure function of its inputs: the same request always gets the same bytes.
import { deflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------
// 5×7 bitmap font (upper case, digits, a few signs). Unknown characters draw as '?'.

const GLYPHS = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  0: ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  1: ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  2: ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  3: ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  4: ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  5: ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  6: ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  7: ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  8: ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  9: ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  '-': ['.....', '.....', '.....', '.###.', '.....', '.....', '.....'],
  _: ['.....', '.....', '.....', '.....', '.....', '.....', '#####'],
  '/': ['.....', '....#', '...#.', '..#..', '.#...', '#....', '.....'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
  '×': ['.....', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '.....'],
  '?': ['.###.', '#...#', '....#', '...#.', '..#..', '.....', '..#..'],
};

/** Width in pixels of `text` drawn at `scale` (5 columns and 1 of spacing per character). */
export const textWidth = (text, scale) => [...text].length * 6 * scale - scale;

/** Draws `text` into the RGB raster at (x, y), each font pixel a scale×scale square. */
function drawText(img, text, x, y, scale, rgb) {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const g = GLYPHS[ch] ?? GLYPHS['?'];
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 5; c++) {
        if (g[r][c] === '#') fillRect(img, cx + c * scale, y + r * scale, scale, scale, rgb);
      }
    }
    cx += 6 * scale;
  }
}

// ---------------------------------------------------------------------------
// The raster.

function fillRect(img, x0, y0, w, h, [r, g, b]) {
  const xa = Math.max(0, x0), ya = Math.max(0, y0);
  const xb = Math.min(img.width, x0 + w), yb = Math.min(img.height, y0 + h);
  for (let y = ya; y < yb; y++) {
    let at = (y * img.width + xa) * 3;
    for (let x = xa; x < xb; x++) { img.data[at++] = r; img.data[at++] = g; img.data[at++] = b; }
  }
}

/** A disc (or a square with rounded corners when `corner` > 0) filled with `rgb`. */
function fillShape(img, cx, cy, radius, corner, rgb) {
  const [r, g, b] = rgb;
  for (let y = Math.max(0, cy - radius); y < Math.min(img.height, cy + radius); y++) {
    const dy = y + 0.5 - cy;
    let half;
    if (corner > 0) {
      const inner = radius - corner;
      const ey = Math.abs(dy) - inner;
      half = ey <= 0 ? radius : inner + Math.sqrt(Math.max(0, corner * corner - ey * ey));
    } else {
      half = Math.sqrt(Math.max(0, radius * radius - dy * dy));
    }
    const xa = Math.max(0, Math.round(cx - half)), xb = Math.min(img.width, Math.round(cx + half));
    let at = (y * img.width + xa) * 3;
    for (let x = xa; x < xb; x++) { img.data[at++] = r; img.data[at++] = g; img.data[at++] = b; }
  }
}

/** HSL (h in 0..360, s and l in 0..1) to RGB bytes. */
function hsl(h, s, l) {
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))));
  return [f(0), f(8), f(4)];
}

/**
 * Paints a product-photo-like picture: a soft background gradient (constant in
 * 8-pixel bands, so most 8×8 blocks are flat and cheap to encode), a product
 * shape in the picture's colour with a highlight, and a dark label banner.
 * `seed` is a byte array (a hash) that picks colours and shape; `lines` the label.
 */
export function paint(width, height, seed, lines) {
  const img = { width, height, data: Buffer.alloc(width * height * 3) };
  const hue = ((seed[0] << 8) | seed[1]) % 360;
  const top = hsl(hue, 0.35, 0.94), bottom = hsl((hue + 30) % 360, 0.3, 0.8);
  for (let y0 = 0; y0 < height; y0 += 8) {
    const t = y0 / Math.max(1, height - 8);
    const c = top.map((v, i) => Math.round(v + (bottom[i] - v) * t));
    fillRect(img, 0, y0, width, 8, c);
  }
  const banner = Math.max(12, Math.round(height * 0.2));
  const cx = Math.round(width / 2), cy = Math.round((height - banner) / 2);
  const radius = Math.max(3, Math.round(Math.min(width, height - banner) * 0.36));
  const corner = seed[2] % 2 ? Math.round(radius * 0.35) : 0;
  fillShape(img, cx + Math.round(radius * 0.08), cy + Math.round(radius * 0.1), radius, corner, hsl((hue + 20) % 360, 0.25, 0.55)); // shadow
  fillShape(img, cx, cy, radius, corner, hsl(hue, 0.65, 0.5));
  fillShape(img, cx - Math.round(radius * 0.3), cy - Math.round(radius * 0.3), Math.round(radius * 0.3), corner ? Math.round(corner * 0.3) : 0, hsl(hue, 0.7, 0.68));
  fillRect(img, 0, height - banner, width, banner, hsl(hue, 0.3, 0.16));
  // The label: as large as fits in the banner, lines centred.
  const longest = Math.max(...lines.map((l) => [...l].length));
  const scale = Math.max(1, Math.min(Math.floor((banner * 0.8) / (lines.length * 9)), Math.floor((width * 0.92) / (longest * 6))));
  let y = height - banner + Math.round((banner - (lines.length * 9 - 2) * scale) / 2);
  for (const [i, line] of lines.entries()) {
    drawText(img, line, Math.round((width - textWidth(line, scale)) / 2), y, scale, i === 0 ? [255, 255, 255] : hsl(hue, 0.6, 0.8));
    y += 9 * scale;
  }
  return img;
}

// ---------------------------------------------------------------------------
// PNG

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** An 8-bit RGB PNG of the raster, with tEXt chunks `text` ([[key, value], …]) before the pixels. */
export function encodePng(img, text = []) {
  const { width, height, data } = img;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  // Filter "Sub" on every row: flat runs become zeros, which deflate well.
  const stride = width * 3;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const out = y * (stride + 1), row = y * stride;
    raw[out] = 1;
    for (let i = 0; i < stride; i++) raw[out + 1 + i] = (data[row + i] - (i >= 3 ? data[row + i - 3] : 0)) & 0xff;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...text.map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1'))),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------
// Baseline JPEG (ITU T.81): YCbCr 4:4:4, the standard (Annex K) quantisation
// tables scaled as libjpeg does for `quality`, the standard Huffman tables.

const ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];
const Q_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
const Q_CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...Array(32).fill(99)];
const DC_LUMA = { bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], vals: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], vals: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  vals: [0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa],
};
const AC_CHROMA = {
  bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  vals: [0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa],
};

/** Code and length per symbol of a Huffman table given as (bits, vals). */
function huffman({ bits, vals }) {
  const code = new Uint16Array(256), len = new Uint8Array(256);
  let c = 0, k = 0;
  for (let l = 1; l <= 16; l++) {
    for (let i = 0; i < bits[l - 1]; i++) { code[vals[k]] = c++; len[vals[k]] = l; k++; }
    c <<= 1;
  }
  return { code, len };
}
const HUFF = { dcL: huffman(DC_LUMA), acL: huffman(AC_LUMA), dcC: huffman(DC_CHROMA), acC: huffman(AC_CHROMA) };

/** libjpeg's quality scaling of a base table (natural order). */
function scaled(base, quality) {
  const s = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * s + 50) / 100))));
}

/** cos table of the 8-point DCT-II with its normalisation: COS[u*8+x]. */
const COS = new Float64Array(64);
for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) COS[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);

class BitWriter {
  constructor() { this.buf = Buffer.alloc(1 << 16); this.n = 0; this.acc = 0; this.bits = 0; }
  byte(b) {
    if (this.n + 2 > this.buf.length) { const nb = Buffer.alloc(this.buf.length * 2); this.buf.copy(nb); this.buf = nb; }
    this.buf[this.n++] = b;
    if (b === 0xff) this.buf[this.n++] = 0; // byte stuffing
  }
  put(value, count) {
    for (let i = count - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.bits === 8) { this.byte(this.acc); this.acc = 0; this.bits = 0; }
    }
  }
  flush() { if (this.bits) this.put(0x7f, 8 - this.bits); return this.buf.subarray(0, this.n); }
}

const category = (v) => { let a = Math.abs(v), n = 0; while (a) { n++; a >>= 1; } return n; };
const magnitude = (v, n) => (v >= 0 ? v : v + (1 << n) - 1);

/** Forward DCT of one 8×8 block (level-shifted samples) into `out`, natural order. */
function dct(block, out, tmp) {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += COS[u * 8 + x] * block[y * 8 + x];
      tmp[y * 8 + u] = s;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += COS[v * 8 + y] * tmp[y * 8 + u];
      out[v * 8 + u] = s;
    }
  }
}

/**
 * A baseline JPEG of the raster at `quality` (1..100). `comment` (bytes) goes
 * into a COM segment right after SOI.
 */
export function encodeJpeg(img, quality, comment) {
  const { width, height, data } = img;
  const qL = scaled(Q_LUMA, quality), qC = scaled(Q_CHROMA, quality);
  const seg = (marker, body) => { const h = Buffer.alloc(4); h[0] = 0xff; h[1] = marker; h.writeUInt16BE(body.length + 2, 2); return Buffer.concat([h, body]); };
  const dqt = seg(0xdb, Buffer.from([0, ...ZIGZAG.map((i) => qL[i]), 1, ...ZIGZAG.map((i) => qC[i])]));
  const sof = seg(0xc0, Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]));
  const dht = seg(0xc4, Buffer.concat([[0x00, DC_LUMA], [0x10, AC_LUMA], [0x01, DC_CHROMA], [0x11, AC_CHROMA]]
    .map(([tc, t]) => Buffer.from([tc, ...t.bits, ...t.vals]))));
  const sos = seg(0xda, Buffer.from([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]));

  const w = new BitWriter();
  const pred = [0, 0, 0];
  const blocks = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const coef = new Float64Array(64), tmp = new Float64Array(64), zz = new Int32Array(64);
  const tables = [[qL, HUFF.dcL, HUFF.acL], [qC, HUFF.dcC, HUFF.acC], [qC, HUFF.dcC, HUFF.acC]];
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      // Samples (edge pixels repeated past the border), YCbCr, level-shifted.
      let flat = true;
      const first = ((by * width) + bx) * 3;
      for (let y = 0; y < 8; y++) {
        const sy = Math.min(height - 1, by + y);
        for (let x = 0; x < 8; x++) {
          const at = (sy * width + Math.min(width - 1, bx + x)) * 3;
          const r = data[at], g = data[at + 1], b = data[at + 2];
          if (flat && (r !== data[first] || g !== data[first + 1] || b !== data[first + 2])) flat = false;
          const i = y * 8 + x;
          blocks[0][i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          blocks[1][i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
          blocks[2][i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
      }
      for (let c = 0; c < 3; c++) {
        const [q, dcT, acT] = tables[c];
        if (flat) { coef.fill(0); coef[0] = 8 * blocks[c][0]; } else dct(blocks[c], coef, tmp);
        for (let k = 0; k < 64; k++) zz[k] = Math.round(coef[ZIGZAG[k]] / q[ZIGZAG[k]]);
        const diff = zz[0] - pred[c];
        pred[c] = zz[0];
        const n = category(diff);
        w.put(dcT.code[n], dcT.len[n]);
        if (n) w.put(magnitude(diff, n), n);
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const v = zz[k];
          if (v === 0) { run++; continue; }
          while (run > 15) { w.put(acT.code[0xf0], acT.len[0xf0]); run -= 16; }
          const m = category(v);
          const sym = (run << 4) | m;
          w.put(acT.code[sym], acT.len[sym]);
          w.put(magnitude(v, m), m);
          run = 0;
        }
        if (run) w.put(acT.code[0], acT.len[0]);
      }
    }
  }
  const scan = w.flush();
  return Buffer.concat([Buffer.from([0xff, 0xd8]), seg(0xfe, comment), dqt, sof, dht, sos, scan, Buffer.from([0xff, 0xd9])]);
}

// ---------------------------------------------------------------------------

/** Pixel size of a PNG, JPEG, GIF or WebP file ({ width, height, type }), or null. */
export function pixelSize(bytes) {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) {
    return { type: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let i = 2; i + 9 < bytes.length;) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1];
      if (marker === 0xff) { i++; continue; }
      const len = bytes.readUInt16BE(i + 2);
      // SOF0..SOF15, except DHT (c4), JPG (c8) and DAC (cc).
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { type: 'jpeg', height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
    return null;
  }
  if (bytes.length >= 10 && bytes.subarray(0, 4).toString('latin1') === 'GIF8') {
    return { type: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 30 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    const kind = bytes.subarray(12, 16).toString('latin1');
    if (kind === 'VP8X') return { type: 'webp', width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { type: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const b = bytes.readUInt32LE(21);
      return { type: 'webp', width: 1 + (b & 0x3fff), height: 1 + ((b >> 14) & 0x3fff) };
    }
  }
  return null;
}
