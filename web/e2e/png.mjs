// Minimal PNG encoder (RGB, no deps) used by the e2e script and the mock API.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * pixel(x, y) → [r, g, b]. Returns a PNG Buffer.
 */
export function encodePng(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[o++] = r;
      raw[o++] = g;
      raw[o++] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A simple smiley-ish face: a coloured disc with two eyes, on white. */
export function facePng(size, [r, g, b], mouth = 'smile') {
  const c = size / 2;
  return encodePng(size, size, (x, y) => {
    const dx = x - c;
    const dy = y - c;
    const d = Math.hypot(dx, dy);
    if (d > size * 0.45) return [255, 255, 255];
    const eye = Math.hypot(Math.abs(dx) - size * 0.15, dy + size * 0.1) < size * 0.06;
    const my = mouth === 'smile' ? size * 0.18 - (dx * dx) / (size * 1.5) : size * 0.2;
    const m = Math.abs(dy - my) < size * 0.03 && Math.abs(dx) < size * 0.2;
    if (eye || m) return [40, 30, 60];
    return [r, g, b];
  });
}

/** Width and height from a PNG buffer, or null. */
export function pngSize(buf) {
  if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47) return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

export const EXPRESSION_COLOURS = {
  angry: [230, 80, 60],
  disgust: [120, 170, 60],
  fear: [150, 120, 220],
  happy: [255, 205, 60],
  sad: [90, 140, 230],
  surprise: [255, 150, 60],
  neutral: [200, 200, 200],
};
