/**
 * `npm run bench`: runs every benchmark module in this folder (each default-exports a `Bench`) and
 * prints one table per module. `npm run bench -- core` runs only modules whose file name contains
 * "core".
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Bench, renderTable } from "./lib.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((file) => file.endsWith(".js") && file !== "run.js" && file !== "lib.js")
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

console.log(`runtrace benchmarks on Node ${process.version}, ${new Date().toISOString()}`);
console.log(
  "Figures are medians of repeated samples; ratios compare with baselines measured in this same run.\n",
);
for (const file of modules) {
  const bench = (await import(new URL(file, import.meta.url).href)).default as Bench;
  if (typeof bench !== "function") continue;
  const result = await bench();
  console.log(`${renderTable(result)}\n`);
}
