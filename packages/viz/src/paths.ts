import { readFileSync } from "node:fs";

/**
 * Places inside the package, found from this module's own URL. This file sits one level under the
 * package root both as `src/paths.ts` (tests) and as `dist/paths.js` (built), so `../` is the root.
 */
const ROOT = new URL("../", import.meta.url);

/** Where `vite build` puts the browser app (`packages/viz/dist/client/`). */
export const CLIENT_DIR = new URL("dist/client/", ROOT);

let version: string | undefined;

/** The package's version, from its package.json (read once). */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      const json = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { version?: unknown };
      version = typeof json.version === "string" ? json.version : "0.0.0";
    } catch {
      version = "0.0.0";
    }
  }
  return version;
}
