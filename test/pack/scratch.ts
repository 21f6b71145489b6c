/**
 * Helpers of the packaging tests: the workspace's packages as the tarballs `npm pack` makes, and
 * scratch projects in temp dirs that install them the way a user's project would.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildClient } from "../viz/browser/global-setup.js";

export const ROOT = resolve(fileURLToPath(new URL("../../", import.meta.url)));
export const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

const dirs: string[] = [];

/** A fresh temp dir outside the workspace, removed by `removeScratchDirs()`. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `runtrace-${prefix}`));
  dirs.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The environment of a user's shell: without the `npm_*` settings that `npm test` passes down (npm
 * reads them as its own configuration, e.g. which workspace to act on), without vitest's variables,
 * and without this workspace's `node_modules/.bin` on the PATH. `npx` does not offer to download: were
 * `runtrace` not installed, it would fail instead of fetching a registry package of that name.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|vitest|runtrace_)/i.test(key) || ["INIT_CWD", "NODE_ENV", "TEST"].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !resolve(entry).startsWith(ROOT))
    .join(delimiter);
  env.npm_config_yes = "false";
  return env;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects on a non-zero exit (the result says how it ended). */
export function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") fail(error);
        else done({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Like `run`, but rejects with the command's output when it exits with a non-zero code. */
export async function runOk(command: string, args: string[], cwd: string): Promise<RunResult> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` in ${cwd} exited with ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

/** The version of a package installed in the workspace (so the scratch install finds it in the cache). */
export function workspaceVersion(name: string): string {
  const json = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
    version: string;
  };
  return json.version;
}

export interface Tarball {
  path: string;
  files: string[];
}

/**
 * Packs `packages/<name>` into `dest`. Without its `prepack` build: `npm test` has just built the
 * TypeScript, and rebuilding the viewer app here would replace files other tests are reading; the
 * app is built first only when it is missing or older than its sources.
 */
export async function pack(name: "core" | "viz" | "bullmq", dest: string): Promise<Tarball> {
  if (
    !existsSync(join(ROOT, "packages/core/dist/index.js")) ||
    !existsSync(join(ROOT, "packages/viz/dist/cli/main.js")) ||
    !existsSync(join(ROOT, "packages/bullmq/dist/index.js"))
  )
    await runOk(process.execPath, [TSC, "-b", "packages/viz", "packages/bullmq"], ROOT);
  if (name === "viz") buildClient();
  const { stdout } = await runOk(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dest],
    join(ROOT, "packages", name),
  );
  const [result] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return { path: join(dest, result.filename), files: result.files.map((file) => file.path).sort() };
}
