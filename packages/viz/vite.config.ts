/**
 * Builds the viewer's browser app (`client/`) into `dist/client/`: one HTML file, ONE JavaScript
 * file and ONE CSS file, nothing else (no fonts, no images), so the server can serve it and the
 * HTML exporter can inline both files into a single page that works from `file://`.
 *
 * Build: `vite build --config packages/viz/vite.config.ts` (from the repository root).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here("./client"),
  base: "/",
  publicDir: false,
  logLevel: "warn",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: here("./dist/client"),
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        inlineDynamicImports: true,
        entryFileNames: "assets/app-[hash].js",
        assetFileNames: "assets/app-[hash][extname]",
      },
    },
  },
});
