// Measurements: process memory and CPU from /proc, latency percentiles, and a summary of a
// V8 .cpuprofile by self time (run alone: `node bench/measure.ts file.cpuprofile`).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const MB = 1024 * 1024;

/** VmRSS (and the peak, VmHWM) of a process, in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: round((kb("VmRSS") * 1024) / MB), peak: round((kb("VmHWM") * 1024) / MB) };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat (11 and 12 after "pid (comm) state").
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Bytes a process has caused to be written to storage so far (`write_bytes` of /proc/<pid>/io). */
export function diskWriteBytes(pid: number): number {
  return Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN);
}

/** The whole machine's idle and busy CPU time so far, in USER_HZ ticks (first line of /proc/stat). */
export function machineTicks(): { idle: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait count as idle.
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: ticks[3]! + ticks[4]!, total };
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function latencySummary(values: Float64Array): LatencySummary {
  const sorted = values.slice().sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(at(1)), mean: round(sum / sorted.length) };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

// ---- CPU profile summary ----

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

/** Where a frame's code lives: a package in node_modules, a project file, or node itself. */
function area(url: string): string {
  if (!url) return "(native/V8)";
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0];
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const project = /\/(src|flows|bench)\/(.*)$/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url.replace(/^file:\/\//, "");
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const project = /\/((?:src|flows|bench)\/.*)$/.exec(url);
  return project ? project[1]! : url.replace(/^file:\/\//, "");
}

/** Self time per function and per package/file, largest first. */
export function summariseProfile(file: string, top = 15): { totalMs: number; functions: Hotspot[]; areas: Hotspot[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, Hotspot>();
  const areas = new Map<string, Hotspot>();
  const add = (map: Map<string, Hotspot>, key: string, name: string, where: string, us: number) => {
    const h = map.get(key) ?? { name, where, selfMs: 0, selfPct: 0 };
    h.selfMs += us / 1000;
    map.set(key, h);
  };
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || "(anonymous)";
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : "";
    add(functions, `${name}@${where}`, name, where, us);
    const a = area(url);
    add(areas, a, a, "", us);
  }
  const finish = (map: Map<string, Hotspot>) =>
    [...map.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, selfMs: round(h.selfMs, 1), selfPct: round((100 * h.selfMs * 1000) / totalUs, 1) }));
  return { totalMs: round(totalUs / 1000, 0), functions: finish(functions), areas: finish(areas) };
}

export function printProfile(summary: ReturnType<typeof summariseProfile> & { thread?: string }): void {
  console.log(`  CPU profile${summary.thread ? ` (${summary.thread})` : ""}: ${summary.totalMs} ms sampled. Top by self time:`);
  for (const h of summary.functions) console.log(`    ${h.selfPct.toFixed(1).padStart(5)}%  ${h.name}  ${h.where}`);
  console.log("  By package / file:");
  for (const h of summary.areas) console.log(`    ${h.selfPct.toFixed(1).padStart(5)}%  ${h.name}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: node bench/measure.ts <file.cpuprofile>");
  printProfile(summariseProfile(file, 25));
}
