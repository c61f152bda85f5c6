// Draws the extension icon (media/icon.png, 128×128): an 8×8 causal attention heatmap with a
// bright diagonal and a first-column sink, on a dark rounded tile. Written as a raw PNG with
// zlib so no image library is needed. Run: node tools/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = Buffer.alloc(N * N * 4);
const ramp = (t) => [24 + 228 * t ** 0.9, 24 + 216 * t ** 1.6, 40 + 120 * t ** 0.5];
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const o = (y * N + x) * 4;
    const r = 22; // corner radius
    const cx = Math.min(Math.max(x, r), N - 1 - r);
    const cy = Math.min(Math.max(y, r), N - 1 - r);
    if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue; // transparent corner
    let [R, G, B] = [30, 30, 46];
    const i = Math.floor((y - 16) / 12);
    const j = Math.floor((x - 16) / 12);
    if (x >= 16 && y >= 16 && i < 8 && j < 8 && (x - 16) % 12 < 11 && (y - 16) % 12 < 11) {
      let w = 0;
      if (j <= i) w = j === i ? 0.95 : j === 0 ? 0.7 : j === i - 1 ? 0.45 : 0.12;
      [R, G, B] = j > i ? [44, 44, 62] : ramp(w);
    }
    px[o] = R;
    px[o + 1] = G;
    px[o + 2] = B;
    px[o + 3] = 255;
  }
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const crcTable = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc = (buf) => {
  let c = -1;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
writeFileSync('media/icon.png', Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
