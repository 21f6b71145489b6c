/**
 * What `npm install` in a fresh clone of this repository does: it links the `runtrace` command,
 * runs no dependency's install script (and so prints no warning about them), and leaves
 * package-lock.json as committed.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, removeScratchDirs, scratchDir } from "./scratch.js";

const exec = promisify(execFile);

interface PackageJson {
  name?: string;
  bin?: string | Record<string, string>;
  workspaces?: string[];
  allowScripts?: Record<string, boolean>;
}

interface LockEntry {
  name?: string;
  hasInstallScript?: boolean;
  optionalDependencies?: Record<string, string>;
  link?: boolean;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const rootPackage = readJson<PackageJson>(join(ROOT, "package.json"));
const lock = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, "package-lock.json"));
const workspaceDirs = ["packages/core", "packages/viz", "packages/bullmq", "examples"];

/** The lock entry's package name: `node_modules/a/node_modules/@s/b` is `@s/b`. */
function lockName(path: string, entry: LockEntry): string {
  return entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
}

/** Where Node would find `name` from the package installed at `path`, as in the lock's layout. */
function resolvesInLock(path: string, name: string): boolean {
  let base = path;
  for (;;) {
    if (lock.packages[`${base === "" ? "" : `${base}/`}node_modules/${name}`]) return true;
    if (base === "") return false;
    const at = base.lastIndexOf("node_modules/");
    base = at <= 0 ? "" : base.slice(0, at - 1);
  }
}

afterAll(() => removeScratchDirs(), 60_000);

describe("npm install in a fresh clone", () => {
  it("links the runtrace command to a file in the repository, not to a build output", async () => {
    for (const dir of workspaceDirs) {
      const json = readJson<PackageJson>(join(ROOT, dir, "package.json"));
      const bins = typeof json.bin === "string" ? { [json.name ?? dir]: json.bin } : (json.bin ?? {});
      for (const target of Object.values(bins)) {
        // npm links bins before `prepare` builds dist/: the target must be in git, so it exists then.
        const files = await exec("git", ["ls-files", "--", join(dir, target)], { cwd: ROOT });
        expect(files.stdout.trim(), `${dir}: bin ${target} is not a committed file`).not.toBe("");
      }
    }
    const bin = join(ROOT, "node_modules/.bin/runtrace");
    expect(existsSync(bin)).toBe(true);
    const help = await exec(bin, ["--help"], { cwd: ROOT, env: cleanEnv() });
    expect(help.stdout).toContain("Usage: runtrace [options] [command]");
    expect(help.stdout).toMatch(/show \[options\] <session>/);
  });

  it("the runtrace command says how to build it when the build is missing", async () => {
    const pkg = scratchDir("unbuilt-viz-");
    mkdirSync(join(pkg, "bin"));
    copyFileSync(join(ROOT, "packages/viz/bin/runtrace.js"), join(pkg, "bin/runtrace.js"));
    copyFileSync(join(ROOT, "packages/viz/package.json"), join(pkg, "package.json"));
    const failure = await exec(process.execPath, [join(pkg, "bin/runtrace.js"), "show", "latest"], {
      cwd: pkg,
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toBe("");
    expect(failure?.stderr).toBe(
      `runtrace: the CLI is not built: ${join(pkg, "dist/cli/main.js")} is missing. ` +
        "Build it with `npm run build` at the root of the runtrace repository (`npm install` there builds it too).\n",
    );
  });

  it("runs no install script: every package that has one is listed in allowScripts", () => {
    const allowed = rootPackage.allowScripts ?? {};
    const uncovered = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== "" && entry.hasInstallScript === true)
      .map(([path, entry]) => lockName(path, entry))
      .filter((name) => !Object.keys(allowed).some((key) => key === name || key.startsWith(`${name}@`)));
    // npm 11 skips unlisted packages' scripts and warns about each one at the end of every install.
    expect(uncovered).toEqual([]);
  });

  it("keeps package-lock.json as committed: every optional dependency is in the lock", () => {
    // npm records every platform's optional build (rollup, biome, esbuild) in the lock; one missing
    // from the committed lock is added by the next `npm install`, and `npm ci` refuses the lock.
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (entry.link === true) continue;
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolvesInLock(path, name)) missing.push(`${lockName(path, entry) || "(root)"} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("keeps package-lock.json as committed: it records each workspace package.json as it is", () => {
    // npm copies these fields of every workspace into the lock and rewrites the lock when they differ.
    const fields = [
      "name",
      "version",
      "dependencies",
      "devDependencies",
      "peerDependencies",
      "bin",
      "engines",
    ];
    for (const dir of ["", ...workspaceDirs]) {
      const json = readJson<Record<string, unknown>>(join(ROOT, dir, "package.json"));
      const entry = lock.packages[dir] as Record<string, unknown> | undefined;
      const bins = json.bin as Record<string, string> | undefined;
      for (const field of fields.filter((name) => dir !== "" || name !== "name")) {
        const expected =
          field === "bin" && bins !== undefined
            ? Object.fromEntries(Object.entries(bins).map(([bin, path]) => [bin, path.replace(/^\.\//, "")]))
            : json[field];
        expect(entry?.[field], `package-lock.json: "${dir}" ${field}`).toEqual(expected);
      }
    }
  });
});
