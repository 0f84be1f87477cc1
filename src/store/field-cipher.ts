// Encryption at rest for what people wrote: message text and payloads, conversation
// snapshots (they hold the answers), report answers and staff notes. AES-256-GCM with a
// random 96-bit IV per value; the column name is authenticated too, so a value cannot be
// moved to another column unnoticed. Keys come from DATA_ENCRYPTION_KEYS ("id:base64key,…",
// the first one encrypts, all of them decrypt), which is how keys are rotated.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BYTES_PREFIX = "encb1:";
/** IVs drawn per call to the CSPRNG: one call per value cost a step as much as its SQL. */
const IVS_PER_DRAW = 512;

let ivPool = Buffer.alloc(0);
let ivOffset = 0;

/** A fresh random IV; every byte of the pool is used once. */
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IVS_PER_DRAW);
    ivOffset = 0;
  }
  ivOffset += IV_BYTES;
  return ivPool.subarray(ivOffset - IV_BYTES, ivOffset);
}

export class FieldCipherError extends Error {}

export interface CipherKey {
  id: string;
  key: Buffer;
}

/** Parses "id:base64,id:base64"; each key must be 32 bytes. */
export function parseKeys(spec: string): CipherKey[] {
  const keys = spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
      if (!match) throw new FieldCipherError('each key is "<id>:<base64 of 32 random bytes>"');
      const key = Buffer.from(match[2]!, "base64");
      if (key.length !== 32) throw new FieldCipherError(`key "${match[1]}" is ${key.length} bytes; AES-256 needs 32`);
      return { id: match[1]!, key };
    });
  if (keys.length === 0) throw new FieldCipherError("no key given");
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new FieldCipherError("key ids must be unique");
  return keys;
}

export class FieldCipher {
  private readonly keys: CipherKey[];
  private readonly byId: Map<string, Buffer>;

  /** Without keys, values are stored and read as they are (development and tests). */
  constructor(keys: CipherKey[] = []) {
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  seal(column: string, value: string): string;
  seal(column: string, value: string | null): string | null;
  seal(column: string, value: string | null): string | null {
    const current = this.keys[0];
    if (value === null || !current) return value;
    const iv = nextIv();
    const cipher = createCipheriv("aes-256-gcm", current.key, iv);
    cipher.setAAD(Buffer.from(column));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return `${PREFIX}${current.id}:${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${body.toString("base64url")}`;
  }

  open(column: string, stored: string): string;
  open(column: string, stored: string | null): string | null;
  open(column: string, stored: string | null): string | null {
    if (stored === null || !stored.startsWith(PREFIX)) return stored;
    const [keyId, iv, tag, body] = stored.slice(PREFIX.length).split(":");
    const key = keyId ? this.byId.get(keyId) : undefined;
    if (!key) throw new FieldCipherError(`a value is encrypted with key "${keyId}", which is not in DATA_ENCRYPTION_KEYS`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv ?? "", "base64url"));
      decipher.setAAD(Buffer.from(column));
      decipher.setAuthTag(Buffer.from(tag ?? "", "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body ?? "", "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new FieldCipherError(`a value in ${column} failed authentication (wrong key or tampered)`);
    }
  }

  /**
   * Bytes (photos and files people sent), sealed as one binary value: "encb1:<key id>:", then
   * the IV, the tag and the ciphertext. Without keys, stored as they are.
   */
  sealBytes(column: string, value: Buffer): Buffer {
    const current = this.keys[0];
    if (!current) return value;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", current.key, iv);
    cipher.setAAD(Buffer.from(column));
    const body = Buffer.concat([cipher.update(value), cipher.final()]);
    return Buffer.concat([Buffer.from(`${BYTES_PREFIX}${current.id}:`), iv, cipher.getAuthTag(), body]);
  }

  openBytes(column: string, stored: Buffer): Buffer {
    if (!stored.subarray(0, BYTES_PREFIX.length).equals(Buffer.from(BYTES_PREFIX))) return stored;
    const end = stored.indexOf(":", BYTES_PREFIX.length);
    const keyId = stored.subarray(BYTES_PREFIX.length, end).toString("utf8");
    const key = this.byId.get(keyId);
    if (end < 0 || !key) throw new FieldCipherError(`a file is encrypted with key "${keyId}", which is not in DATA_ENCRYPTION_KEYS`);
    const iv = stored.subarray(end + 1, end + 1 + IV_BYTES);
    const tag = stored.subarray(end + 1 + IV_BYTES, end + 1 + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.from(column));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(stored.subarray(end + 1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new FieldCipherError(`a file in ${column} failed authentication (wrong key or tampered)`);
    }
  }

  /** True when a stored file is plain bytes or sealed with a key other than the current one. */
  needsResealingBytes(stored: Buffer | null): boolean {
    if (stored === null || !this.enabled) return false;
    return !stored.subarray(0, BYTES_PREFIX.length + (this.currentKeyId?.length ?? 0) + 1).equals(Buffer.from(`${BYTES_PREFIX}${this.currentKeyId}:`));
  }

  /** True when `stored` is plain text or sealed with a key other than the current one. */
  needsResealing(stored: string | null): boolean {
    if (stored === null || !this.enabled) return false;
    return !stored.startsWith(`${PREFIX}${this.currentKeyId}:`);
  }
}
