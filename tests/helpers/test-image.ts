// A real PNG for evidence tests, made here (no binary fixture): a browser decodes and shows it,
// and its pixels carry a seed so each test image's bytes are unique.
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGB PNG of `width` × `height`: diagonal stripes in colours drawn from `seed`, with noise so it does not compress to nothing. */
export function testPng(seed: number, width = 160, height = 120): Buffer {
  let state = seed >>> 0 || 1;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) >>> 0) >>> 16) & 0xff;
  const [r, g, b] = [random(), random(), random()];
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const stripe = ((x + y) >> 4) & 1;
      const noise = random() & 0x1f;
      row[1 + x * 3] = stripe ? r ^ noise : 255 - r;
      row[2 + x * 3] = stripe ? g ^ noise : 255 - g;
      row[3 + x * 3] = stripe ? b ^ noise : 255 - b;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}
