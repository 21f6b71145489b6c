/**
 * The viewer (`startViewer` of the built `@runtrace/viz`) in a child process, so that its memory is
 * its own: it prints its URL, and answers `rss` on stdin with its resident memory after a GC and
 * its peak resident memory so far.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `BENCH_VIZ`: another build of `@runtrace/viz` to measure (an older one, to compare). */
const VIZ = process.env.BENCH_VIZ ? pathToFileURL(process.env.BENCH_VIZ).href : "@runtrace/viz";

const SERVER = `
import { startViewer } from ${JSON.stringify(VIZ)};
const viewer = await startViewer({ dir: process.env.BENCH_DIR, port: 0 });
console.log("url " + viewer.url);
process.stdin.setEncoding("utf8");
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let at;
  while ((at = buffer.indexOf("\\n")) >= 0) {
    const line = buffer.slice(0, at);
    buffer = buffer.slice(at + 1);
    if (line === "rss") { globalThis.gc?.(); globalThis.gc?.(); const peak = process.resourceUsage().maxRSS * 1024; const m = process.memoryUsage(); console.log("rss " + m.rss + " " + peak + " " + m.heapUsed); }
    if (line === "exit") viewer.close().then(() => process.exit(0));
  }
});
`;

export interface ViewerProcess {
  url: string;
  pid: number;
  /** Resolves with the exit code when the process ends (on its own: a crash). */
  exited: Promise<number | null>;
  /** Why it died: the fatal error line it wrote to stderr, else its last line. */
  lastError(): string;
  /** Its RSS and JS heap after a GC, and its peak RSS so far (bytes). */
  rss(): Promise<{ rss: number; peak: number; heap: number }>;
  /** Its RSS now, read from /proc without disturbing it (Linux); `undefined` elsewhere or once it is gone. */
  rssNow(): number | undefined;
  close(): Promise<void>;
}

/** Starts the viewer over `dir` in a child process (with `--expose-gc`, and `nodeArgs` first). */
export async function startViewerProcess(dir: string, nodeArgs: string[] = []): Promise<ViewerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "--expose-gc", "--input-type=module", "-e", SERVER], {
    cwd: ROOT,
    env: { ...process.env, BENCH_DIR: dir },
    stdio: ["pipe", "pipe", "pipe"],
  });
  // Writing to a process that died is answered by the `exited` promise, not by a crash here.
  child.stdin!.on("error", () => {});
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-50_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then((code) =>
        reject(new Error(`the viewer process exited (${code}): ${stderr.trim().split("\n").at(-1) ?? ""}`)),
      );
    });
  const first = await nextLine();
  if (!first.startsWith("url ")) throw new Error(`unexpected output from the viewer process: ${first}`);
  return {
    url: first.slice(4),
    pid: child.pid!,
    exited,
    lastError: () => {
      const lines = stderr.trim().split("\n");
      // A fatal V8 error prints its reason, then a native stack: the reason is what matters.
      return lines.find((line) => /FATAL ERROR|out of memory/i.test(line)) ?? lines.at(-1) ?? "";
    },
    async rss() {
      const answer = nextLine();
      child.stdin!.write("rss\n");
      const [, rss, peak, heap] = (await answer).split(" ");
      return { rss: Number(rss), peak: Number(peak), heap: Number(heap) };
    },
    rssNow() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.write("exit\n");
      await exited;
    },
  };
}
