/**
 * Worker processes of the @runtrace/bullmq tests (fixtures/worker.mjs, on the built packages):
 * started, SIGKILLed and started again, and all stopped at the end.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKER = join(ROOT, "test/bullmq/fixtures/worker.mjs");

/** The worker script runs the built packages (`npm test` builds them first). */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, "packages/bullmq/dist/index.js"))) return;
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", "packages/bullmq"], { cwd: ROOT, stdio: "pipe" });
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
}

/** Starts a worker process; resolves once it takes jobs. */
export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${output}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, pid: Number(ready[1]) });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** Kills a worker process with `signal` and waits until it is gone. */
export function stopWorkerProcess(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
    worker.child.once("exit", () => resolve());
    worker.child.kill(signal);
  });
}
