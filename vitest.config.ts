import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const core = fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url));
const alias = { "@runtrace/core": core };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "examples/src/**/*.test.ts"],
          exclude: ["**/*.legacy.test.ts", "**/node_modules/**"],
          testTimeout: 30_000,
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
