// The legacy-tools example is compiled by tsc with emitDecoratorMetadata (tsc -b builds it; vitest's
// esbuild would drop the metadata), so its test runs the built program.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const PROGRAM = fileURLToPath(new URL("../legacy-tools/dist/travel-desk.js", import.meta.url));

it("a service class's typed methods become described tools that an agent calls", async () => {
  const { stdout } = await run(process.execPath, [PROGRAM]);
  const lines = stdout.trim().split("\n");
  expect(JSON.parse(lines[0]!.replace(/^TravelDesk_hotels: /, ""))).toEqual({
    type: "object",
    properties: { city: { type: "string" }, maxPrice: { type: "number" } },
    required: ["city", "maxPrice"],
    additionalProperties: false,
  });
  expect(lines[1]).toContain(
    '"stay":{"type":"object","properties":{"city":{"type":"string","description":"city to stay in"}',
  );
  expect(lines.slice(3, 9).map((line) => line.replace(/ [\d.]+ ms$/, ""))).toEqual([
    "└─ ✓ travelDesk [agent]",
    "   ├─ ✓ chat scripted [llm]",
    "   ├─ ✓ TravelDesk.hotels [tool]",
    "   ├─ ✓ chat scripted [llm]",
    "   ├─ ✓ TravelDesk.book [tool]",
    "   └─ ✓ chat scripted [llm]",
  ]);
  expect(lines.at(-1)).toBe("Booked Porto Budget Inn for 2 nights (BK-POR-2-16).");
});
