/**
 * A real redis-server for the tests that need one (@runtrace/bullmq, its benchmark): Debian's,
 * installed with apt-get when missing (as root; how a fresh CI machine gets it), started on a free
 * port of 127.0.0.1 with nothing saved to disk, and stopped when done.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

const REDIS_SERVER = "/usr/bin/redis-server";

/** Installs Debian's redis-server when it is missing (needs root and apt-get). */
export function ensureRedisServer(): void {
  if (existsSync(REDIS_SERVER)) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    throw new Error(
      `These tests need ${REDIS_SERVER}. Install it with \`sudo apt-get update && sudo apt-get install -y redis-server\` ` +
        `(Debian/Ubuntu), then run them again.${root ? "" : " (This process is not root, so it could not install it itself.)"}`,
    );
  }
  const apt = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: "pipe",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  try {
    apt(["install", "-y", "redis-server"]);
  } catch {
    // A fresh machine has no package lists yet.
    apt(["update"]);
    apt(["install", "-y", "redis-server"]);
  }
  if (!existsSync(REDIS_SERVER))
    throw new Error(`Installed redis-server but ${REDIS_SERVER} is still missing.`);
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  connection: { host: string; port: number };
  stop(): Promise<void>;
}

/** Starts redis-server on a free port; resolves when it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  ensureRedisServer();
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  child.stdout!.resume();
  return {
    port,
    connection: { host: "127.0.0.1", port },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
