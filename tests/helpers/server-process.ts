// A server as a child process (`node <script>`, SafeLine's src/main.ts by default; Node runs the
// TypeScript itself by stripping its types):
// ready once GET /readyz answers 200; stopped with SIGTERM like a process manager does, or
// killed with SIGKILL like a crash. Shared by the reliability tests and the bench; runScript
// runs the repository's other scripts (the CLI) to their end.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { telegramWebhookEnv } from "./telegram-env.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Children still running, with their exits, so a failed test or an interrupted bench can kill what it started. */
const children = new Map<ChildProcess, Promise<Exit>>();

/** SIGKILLs every server process still running; resolves once they have all exited. */
export async function killServerProcesses(): Promise<void> {
  for (const child of children.keys()) child.kill("SIGKILL");
  await Promise.all(children.values());
}

/**
 * SafeLine's settings (every variable .env.example names) are taken out of the inherited
 * environment, so the server sees only what the caller passes.
 */
const SETTINGS = [...readFileSync(resolve(ROOT, ".env.example"), "utf8").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<Exit>;
  running(): boolean;
  /** The last few KB of its stdout and stderr. */
  output(): string;
  /** SIGKILL, as in a crash; resolves once the process is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** Default src/main.ts (relative to the repository root). */
  script?: string;
  /** Default: a free port. A restart passes the port of the process it replaces. */
  port?: number;
  /** Node flags before the script, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Modules loaded with --import before the script (TypeScript allowed). */
  preload?: string[];
  readyTimeoutMs?: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
    s.on("error", reject);
  });
}

export const TELEGRAM_TOKEN = "123456:server-process";

/** SafeLine in Telegram webhook mode against a fake Bot API at `apiRoot`, on the database at `url`. */
export function webhookModeEnv(url: string, apiRoot: string, extra: Record<string, string> = {}): Record<string, string> {
  return telegramWebhookEnv(url, apiRoot, {
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    LOG_LEVEL: "warn",
    // The per-person inbound limit has its own tests; in reliability runs it would only
    // stretch the run (and a limited message deliberately skips the flow).
    INBOUND_BURST: "10000",
    INBOUND_PER_SECOND: "10000",
    ...extra,
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Node's on-disk compile cache, shared by every server process started here: the tests start
 * dozens (crashes, restarts, several instances), and a start spends most of its time
 * compiling the same modules (with the cache, a start of src/main.ts takes over a third less CPU).
 */
const COMPILE_CACHE = process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "safeline-node-compile-cache");

/**
 * Runs a script of the repository to its end (`node <script>`, without npm's own start in
 * between), with `env` added to this process's environment; rejects with its exit code,
 * stdout and stderr when it fails.
 */
export function runScript(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE, ...env } });
}

/** Starts the server and waits until /readyz answers 200 (rejects with its output if it exits or times out). */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const script = options.script ?? "src/main.ts";
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SETTINGS) delete env[name];
  const args = [...(options.nodeFlags ?? []), ...(options.preload ?? []).flatMap((p) => ["--import", p]), script];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, NODE_COMPILE_CACHE: COMPILE_CACHE, ...options.env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let gone = false;
  const exited = new Promise<Exit>((r) =>
    child.once("exit", (code, signal) => {
      gone = true;
      children.delete(child);
      r({ code, signal });
    }),
  );
  children.set(child, exited);
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    child,
    pid: child.pid!,
    port,
    url,
    exited,
    running: () => !gone,
    output: () => tail,
    async kill() {
      if (!gone) child.kill("SIGKILL");
      return exited;
    },
    async stop(graceMs = 15_000) {
      if (gone) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (gone) throw new Error(`${script} exited before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`${script} not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${tail}`);
    }
    // Bounded, so that a /readyz that never answers still ends at the deadline, with the output.
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    await sleep(50);
  }
}
