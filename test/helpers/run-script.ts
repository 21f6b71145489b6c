import { spawn } from "node:child_process";

/** What a script run to its end printed, how it exited, and how long it took. */
export interface ScriptRun {
  code: number | null;
  out: string;
  err: string;
  elapsedMs: number;
}

/**
 * Runs a script with this node until it exits by itself, keeping what it printed. A script still
 * running after `killAfterMs` is killed, so a test that expects an exit fails instead of hanging.
 */
export async function runScript(
  script: string,
  options: { env?: Record<string, string>; killAfterMs?: number } = {},
): Promise<ScriptRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  const killer = setTimeout(() => child.kill(), options.killAfterMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(killer);
  return { code, out, err, elapsedMs: performance.now() - started };
}
