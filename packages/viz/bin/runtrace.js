#!/usr/bin/env node
/**
 * The `runtrace` command's entry point: loads the built CLI (`dist/cli/main.js`).
 *
 * This file is committed, not built, so that npm can link it as `node_modules/.bin/runtrace` when it
 * installs the workspace, which happens before `prepare` builds `dist/`. Where the build is missing,
 * it says so and how to build, instead of failing with a stack trace.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli/main.js", import.meta.url);

if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write(
    `runtrace: the CLI is not built: ${fileURLToPath(cli)} is missing. ` +
      "Build it with `npm run build` at the root of the runtrace repository (`npm install` there builds it too).\n",
  );
  process.exitCode = 1;
}
