// UUID version 7 (RFC 9562): a millisecond timestamp, then random bits. New rows keyed by
// these land next to each other in the B-trees, so a batch of steps touches a few recent
// pages instead of one random page per row (less written per commit, smaller WAL).
import { randomFillSync } from "node:crypto";

const POOL = 4096;
const pool = Buffer.alloc(POOL);
let offset = POOL;
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function randomBytes10(): Buffer {
  if (offset + 10 > POOL) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 10;
  return pool.subarray(offset - 10, offset);
}

export function timeOrderedId(now = Date.now()): string {
  const r = randomBytes10();
  const b = [
    Math.floor(now / 2 ** 40) & 0xff, Math.floor(now / 2 ** 32) & 0xff, (now >>> 24) & 0xff, (now >>> 16) & 0xff, (now >>> 8) & 0xff, now & 0xff,
    0x70 | (r[0]! & 0x0f), r[1]!, 0x80 | (r[2]! & 0x3f), r[3]!, r[4]!, r[5]!, r[6]!, r[7]!, r[8]!, r[9]!,
  ].map((x) => hex[x]!);
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
}
