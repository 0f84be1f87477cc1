// A real SMTP server on 127.0.0.1 (the smtp-server package) that keeps every mail it accepts,
// decoded enough to read: envelope, subject and plain-text body. `failNext` makes it refuse
// the next mails with a temporary error (451), as a busy mail server would.
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/** =?UTF-8?B?…?= and =?UTF-8?Q?…?= words of a header, decoded. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === "b" ? Buffer.from(data, "base64").toString("utf8") : decodeQuotedPrintable(data.replace(/_/g, " ")),
  );
}

function decodeQuotedPrintable(value: string): string {
  const bytes = value.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, "%25"));
}

function parse(raw: string): { subject: string; text: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const text =
    encoding === "base64" ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
    : encoding === "quoted-printable" ? decodeQuotedPrintable(body)
    : body;
  return { subject: decodeWords(headers.get("subject") ?? ""), text: text.replace(/\r\n/g, "\n").trim() };
}

export class SmtpSink {
  private readonly server: SMTPServer;
  readonly port: number;
  readonly mails: ReceivedMail[] = [];
  private refusals = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(server: SMTPServer, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(): Promise<SmtpSink> {
    let sink!: SmtpSink;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          if (sink.refusals > 0) {
            sink.refusals--;
            const error = Object.assign(new Error("mailbox busy, try again later"), { responseCode: 451 });
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks).toString("utf8");
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
          sink.mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, ...parse(raw) });
          for (const wake of sink.waiters) wake();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Refuses the next `times` mails with 451. */
  failNext(times = 1): void {
    this.refusals += times;
  }

  /** Waits until at least `count` mails arrived. */
  async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      if (Date.now() > deadline) throw new Error(`SMTP sink: ${this.mails.length} of ${count} mails within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => (this.waiters.delete(wake), resolve());
        this.waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
    return this.mails;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
