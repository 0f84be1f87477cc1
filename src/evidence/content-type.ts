// The content type a stored file is served with. Images are recognised by their first bytes
// (what the platform or the sender claims is not trusted for showing a file inline); other
// files keep a well-formed declared type and are only ever offered as a download.

/** Image types the console shows inline, by their magic numbers. */
const IMAGES: { type: string; magic: number[]; at?: number }[] = [
  { type: "image/jpeg", magic: [0xff, 0xd8, 0xff] },
  { type: "image/png", magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/gif", magic: [0x47, 0x49, 0x46, 0x38] },
  { type: "image/webp", magic: [0x57, 0x45, 0x42, 0x50], at: 8 },
];

export const INLINE_IMAGE_TYPES = new Set(IMAGES.map((i) => i.type));

export function sniffImage(content: Buffer): string | undefined {
  return IMAGES.find(({ magic, at = 0 }) => magic.every((byte, i) => content[at + i] === byte) && (at === 0 || content.subarray(0, 4).toString("latin1") === "RIFF"))?.type;
}

/** The type to store: a recognised image's, else the first well-formed declared one, else octet-stream. */
export function storedContentType(content: Buffer, ...declared: (string | null | undefined)[]): string {
  const image = sniffImage(content);
  if (image) return image;
  for (const d of declared) {
    const type = d?.split(";")[0]?.trim().toLowerCase();
    // A declared image type the bytes do not confirm is not an image.
    if (type && /^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,100}$/.test(type) && !type.startsWith("image/")) return type;
  }
  return "application/octet-stream";
}
