// A LINE webhook body as SafeLine reads it, checked before any event runs: the events the
// adapter handles (message, postback, unsend) must carry their fields with Messaging API
// types, and ids must look like LINE's (user ids, message ids, ULID event ids); other event
// types and unknown fields pass through. Message text is made storable (storable-text.ts).
import type { webhook } from "@line/bot-sdk";
import { z } from "zod";
import { storableText } from "../storable-text.ts";

const lineId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
const HANDLED = ["message", "postback", "unsend"];

const base = {
  webhookEventId: lineId,
  timestamp: z.number().optional(),
  source: z.looseObject({ type: z.string(), userId: lineId.optional() }).optional(),
  replyToken: z.string().max(256).optional(),
};
const content = z.union([
  z.looseObject({ id: lineId, type: z.literal("text"), text: z.string().transform(storableText) }),
  z.looseObject({ id: lineId, type: z.literal("location"), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  z.looseObject({ id: lineId, type: z.string().refine((t) => t !== "text" && t !== "location") }),
]);
const event = z.union([
  z.looseObject({ ...base, type: z.literal("message"), message: content }),
  z.looseObject({ ...base, type: z.literal("postback"), postback: z.looseObject({ data: z.string() }) }),
  z.looseObject({ ...base, type: z.literal("unsend"), unsend: z.looseObject({ messageId: lineId }) }),
  z.looseObject({ ...base, type: z.string().refine((t) => !HANDLED.includes(t)) }),
]);
const body = z.object({ destination: z.string().optional(), events: z.array(event) });

/** The body's events, or undefined when the body is not a webhook body SafeLine can read. */
export function parseWebhookBody(json: unknown): webhook.Event[] | undefined {
  const parsed = body.safeParse(json);
  return parsed.success ? (parsed.data.events as unknown as webhook.Event[]) : undefined;
}
