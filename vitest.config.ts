import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// Tests run against the sources; exact matches so that "@runtrace/core/otel" is not swallowed.
const alias = [
  { find: /^@runtrace\/core$/, replacement: source("./packages/core/src/index.ts") },
  { find: /^@runtrace\/core\/otel$/, replacement: source("./packages/core/src/otel.ts") },
  { find: /^@runtrace\/core\/browser$/, replacement: source("./packages/core/src/browser.ts") },
  { find: /^@runtrace\/core\/mcp$/, replacement: source("./packages/core/src/mcp.ts") },
  { find: /^@runtrace\/core\/openai$/, replacement: source("./packages/core/src/openai.ts") },
  { find: /^@runtrace\/core\/ai-sdk$/, replacement: source("./packages/core/src/ai-sdk.ts") },
  { find: /^@runtrace\/core\/remote$/, replacement: source("./packages/core/src/remote.ts") },
  { find: /^@runtrace\/core\/format$/, replacement: source("./packages/core/src/format.ts") },
  { find: /^@runtrace\/bullmq$/, replacement: source("./packages/bullmq/src/index.ts") },
];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "examples/src/**/*.test.ts"],
          exclude: ["**/*.legacy.test.ts", "**/node_modules/**", "test/viz/browser/**"],
          testTimeout: 30_000,
        },
      },
      {
        // The viewer in Debian's chromium (playwright-core). The setup builds the app and installs
        // chromium when missing.
        resolve: { alias },
        test: {
          name: "browser",
          include: ["test/viz/browser/**/*.test.ts"],
          globalSetup: ["test/viz/browser/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Legacy (experimentalDecorators) method decorators: same API, the other decorator protocol.
        resolve: { alias },
        esbuild: { tsconfigRaw: { compilerOptions: { experimentalDecorators: true } } },
        test: {
          name: "legacy-decorators",
          include: ["packages/*/src/**/*.legacy.test.ts", "test/**/*.legacy.test.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
