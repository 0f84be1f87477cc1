// The baseline: a bare grammY webhook bot. Each update is answered with one sendMessage
// (awaited before the 200, as `ctx.reply` in a plain handler is); nothing is stored.
// Same env as SafeLine: PORT, TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_ROOT.
import { createServer } from "node:http";
import { Bot, webhookCallback } from "grammy";
import { BOT } from "./fake-bot-api.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const bot = new Bot(env("TELEGRAM_BOT_TOKEN"), {
  client: { apiRoot: env("TELEGRAM_API_ROOT") },
  botInfo: {
    ...BOT,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  },
});
bot.use(async (ctx) => {
  if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, "ok", { disable_notification: true });
});

const handle = webhookCallback(bot, "http", { secretToken: env("TELEGRAM_WEBHOOK_SECRET") });
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/readyz") return void res.end('{"ok":true}');
  if (req.method === "POST" && req.url === "/webhooks/telegram") return void handle(req, res);
  res.statusCode = 404;
  res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(env("PORT")), "127.0.0.1", () => console.log("baseline listening"));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
