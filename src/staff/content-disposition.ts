// Content-Disposition for a file served to staff (RFC 6266): an ASCII fallback name and the
// original name in UTF-8 (RFC 8187), with nothing that could break out of the header.

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
  "video/mp4": ".mp4",
  "audio/mpeg": ".mp3",
  "audio/ogg": ".ogg",
  "audio/x-m4a": ".m4a",
};

export const extensionOf = (contentType: string): string => EXTENSIONS[contentType] ?? "";

export function contentDisposition(type: "inline" | "attachment", fileName: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = fileName.replace(/[\u0000-\u001f\u007f"\\/]/g, "_").slice(0, 200) || "file";
  const ascii = clean.replace(/[^\x20-\x7e]/g, "_");
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
