// Test chat limits loose enough for tests that post many sessions from one address on purpose
// (fuzzing, retention); the limits themselves are tested in web-chat.test.ts.
import type { WebChatLimits } from "../../src/channels/web/web-chat-limiter.ts";

const plenty = { burst: 1_000_000, perSecond: 1_000_000 };
export const LOOSE_WEB_CHAT_LIMITS: WebChatLimits = { sessionsPerAddress: plenty, messagesPerAddress: plenty, sessionsOverall: plenty, messagesOverall: plenty };
