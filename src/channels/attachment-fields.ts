// A photo or file as a platform announced it, checked before it is stored: the file reference
// must look like one (Telegram file_id, LINE message id), and a size, type or name that does
// not have its documented shape is left out rather than stored (the file is still fetched).
import { z } from "zod";
import type { Attachment } from "../store/types.ts";
import { storableText } from "./storable-text.ts";

const ref = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/);
const size = z.number().int().min(0).max(2 ** 31 - 1);
const contentType = z.string().regex(/^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,100}$/i).transform((t) => t.toLowerCase());
const fileName = z.string().min(1).max(255).transform(storableText);

export interface AnnouncedFile {
  ref: unknown;
  size?: unknown;
  contentType?: unknown;
  fileName?: unknown;
}

export function attachmentOf(kind: Attachment["kind"], file: AnnouncedFile): Attachment | undefined {
  const id = ref.safeParse(file.ref);
  if (!id.success) return undefined;
  const bytes = size.safeParse(file.size);
  const type = contentType.safeParse(file.contentType);
  const name = fileName.safeParse(file.fileName);
  return {
    kind,
    ref: id.data,
    ...(bytes.success ? { size: bytes.data } : {}),
    ...(type.success ? { contentType: type.data } : {}),
    ...(name.success ? { fileName: name.data } : {}),
  };
}
