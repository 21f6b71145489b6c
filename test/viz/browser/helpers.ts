/** Shared by the browser tests: chromium, temp dirs, session files written line by line. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM } from "./global-setup.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Screenshots go here (gitignored). */
export const ARTIFACTS = join(ROOT, "test/.artifacts");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `runtrace-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Errors the page threw or logged, to assert there were none. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

/** Writes a session file from line objects (the stored format, docs/format.md). */
export function writeSession(dir: string, id: string, lines: object[]): string {
  const file = join(dir, `${id}.jsonl`);
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  return file;
}

/** A page's own flag set by injected script, read as a string expression (no DOM types in tests). */
export async function pwned(page: Page): Promise<unknown> {
  return page.evaluate("window.__pwned");
}

/** How many tree rows the DOM holds. */
export function rowCount(page: Page): Promise<number> {
  return page.locator(".trace-canvas .row").count();
}
