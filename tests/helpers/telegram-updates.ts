// Telegram updates as the Bot API sends them to a webhook, for tests that play the person.
let updateSeq = 100_000;
let messageSeq = 1;
export const nextUpdateId = () => updateSeq++;
export const nextMessageId = () => messageSeq++;
export const now = () => Math.floor(Date.now() / 1000);
export const user = (chatId: number) => ({ id: chatId, is_bot: false, first_name: "Test", language_code: "en" });
export const privateChat = (chatId: number) => ({ id: chatId, type: "private", first_name: "Test" });

export function messageUpdate<F extends Record<string, unknown>>(chatId: number, fields: F, updateId = nextUpdateId()) {
  return {
    update_id: updateId,
    message: { message_id: nextMessageId(), date: now(), chat: privateChat(chatId), from: user(chatId), ...fields },
  };
}

export function textUpdate(chatId: number, text: string, updateId = nextUpdateId()) {
  const command = /^\/\w+/.exec(text);
  return messageUpdate(
    chatId,
    { text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}) },
    updateId,
  );
}

/** A tap on an inline button of the bot's message `botMessageId`. */
export function callbackUpdate(chatId: number, data: string, botMessageId: number, updateId = nextUpdateId()) {
  return {
    update_id: updateId,
    callback_query: {
      id: `cbq-${updateId}`,
      from: user(chatId),
      chat_instance: "-42",
      data,
      message: {
        message_id: botMessageId,
        date: now(),
        chat: privateChat(chatId),
        from: { id: 7_000_000_001, is_bot: true, first_name: "SafeLine", username: "safeline_test_bot" },
        text: "…",
      },
    },
  };
}
