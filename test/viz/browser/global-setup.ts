/**
 * vitest globalSetup of the browser tests: builds the viewer's browser app when
 * `packages/viz/dist/client/index.html` is missing or older than its sources, builds
 * `@runtrace/core` and the examples (the fixtures run the built code) when they are missing, and installs
 * Debian's chromium when `/usr/bin/chromium` is missing (as root, with apt-get; how a fresh CI
 * machine gets it). Fails with a message that says what to do when it cannot.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const VIZ = join(ROOT, "packages/viz");
const BUILT_INDEX = join(VIZ, "dist/client/index.html");

function newest(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

function run(command: string, args: string[], what: string): void {
  try {
    execFileSync(command, args, {
      cwd: ROOT,
      stdio: "pipe",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    const output = error as { stderr?: Buffer; stdout?: Buffer; message: string };
    const detail = `${output.stderr?.toString() ?? ""}${output.stdout?.toString() ?? ""}`.trim().slice(-2000);
    throw new Error(
      `Browser tests: ${what} failed (${command} ${args.join(" ")}).\n${detail || output.message}`,
    );
  }
}

/** Builds the browser app unless `dist/client/index.html` is newer than every source file. */
export function buildClient(): void {
  const sources = Math.max(
    newest(join(VIZ, "client")),
    newest(join(VIZ, "vite.config.ts")),
    newest(join(VIZ, "src/shared/types.ts")),
  );
  if (existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= sources) return;
  const vite = join(ROOT, "node_modules/vite/bin/vite.js");
  run(process.execPath, [vite, "build", "--config", join(VIZ, "vite.config.ts")], "building the viewer app");
}

/** The fixtures run the built `@runtrace/core` and the built demo (`npm test` builds them first). */
function buildPackages(): void {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  if (!existsSync(join(ROOT, "packages/core/dist/index.js")))
    run(process.execPath, [tsc, "-b", "packages/core"], "building @runtrace/core");
  if (!existsSync(join(ROOT, "examples/dist/demo.js")))
    run(process.execPath, [tsc, "-b", "examples"], "building the examples");
}

/** Installs Debian's chromium when it is missing (needs root and apt-get). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM}. Install it with \`sudo apt-get update && sudo apt-get install -y chromium\` ` +
        `(Debian/Ubuntu), then run the tests again.${root ? "" : " (This process is not root, so it could not install it itself.)"}`,
    );
  }
  try {
    run("apt-get", ["install", "-y", "chromium"], "installing chromium");
  } catch {
    // A fresh machine has no package lists yet.
    run("apt-get", ["update"], "apt-get update");
    run("apt-get", ["install", "-y", "chromium"], "installing chromium");
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`Installed the chromium package but ${CHROMIUM} is still missing.`);
}

export default function setup(): void {
  ensureChromium();
  buildPackages();
  buildClient();
}
