// A pino logger whose lines the test can read.
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

export function capturedLog(level = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
