import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

const R = "[redacted]";
const KEY = "sk-proj-NAMEMARKER0123456789abcdefghij";
const dir = mkdtempSync(join(tmpdir(), "runtrace-names-"));
const store = rt.jsonlStore({ dir });
const step = rt.functionNode((n: number) => n + 1, { name: "step" });

afterEach(() => rt.configure({ store: null, redact: true, limits: { maxStringLength: 8192 } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function recorded(session: rt.Session, fn: () => Promise<unknown>) {
  await session.run(fn);
  await rt.flush();
  const file = store.fileOf(session.id);
  return { tree: await rt.readSession(file), text: readFileSync(file, "utf8"), bytes: statSync(file).size };
}

describe("names are recorded like string values", () => {
  it("redacts secrets in session, call and event names, in memory and in the file", async () => {
    const session = new rt.Session({ name: `nightly with ${KEY}`, store });
    const { tree, text } = await recorded(session, async () => {
      await rt.callWith({ name: `fetch https://api.example.com/x?api_key=${KEY}` }, step, 1);
      rt.event(`token used: Bearer ${KEY}`);
    });
    expect(text).not.toContain("NAMEMARKER");
    expect(tree.root.node).toBe(`nightly with ${R}`);
    expect(session.tree.root.node).toBe(`nightly with ${R}`);
    expect(tree.root.children[0]!.node).toBe(`fetch https://api.example.com/x?api_key=${R}`);
    expect(tree.root.events.map((e) => e.name)).toEqual([`token used: Bearer ${R}`]);
    // The session object still answers with the name it was given.
    expect(session.name).toBe(`nightly with ${KEY}`);
  });

  it("cuts a 10 MB call name and a 10 MB event name to the string limit, with the marker", async () => {
    const huge = "n".repeat(10 * 1024 * 1024);
    const session = new rt.Session({ name: "big names", store });
    const { tree, bytes } = await recorded(session, async () => {
      for (let i = 0; i < 3; i++) await rt.callWith({ name: `${i}${huge}` }, step, i);
      rt.event(`e${huge}`);
    });
    const calls = tree.root.children;
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.node.length).toBeLessThan(8192 + 40);
      expect(call.node).toMatch(/^\dn+…\[\+\d+ chars\]$/);
    }
    expect(tree.root.events[0]!.name).toBe(`e${"n".repeat(8191)}…[+${huge.length + 1 - 8192} chars]`);
    // Each call line (start and end) carries the name once: tens of KB, not tens of MB.
    expect(bytes).toBeLessThan(100_000);
  });

  it("cuts a huge session name and a huge attribute key", async () => {
    rt.configure({ limits: { maxStringLength: 100 } });
    const session = new rt.Session({ name: "s".repeat(5000), store });
    const { tree } = await recorded(session, async () => {
      rt.setAttributes({ ["k".repeat(5000)]: 1 });
    });
    expect(tree.root.node).toBe(`${"s".repeat(100)}…[+4900 chars]`);
    expect(Object.keys(tree.root.attributes)).toEqual([`${"k".repeat(100)}…[+4900 chars]`]);
  });

  it("cuts even short names when the string limit is below 16", async () => {
    rt.configure({ limits: { maxStringLength: 4 } });
    const session = new rt.Session({ name: "nightly", store });
    const { tree } = await recorded(session, async () => {
      await rt.call(step, 1);
    });
    expect(tree.root.node).toBe("nigh…[+3 chars]");
  });

  it("keeps names as given when redaction is off, and short names untouched", async () => {
    rt.configure({ redact: false });
    const session = new rt.Session({ name: `raw ${KEY}`, store });
    const { tree } = await recorded(session, async () => {
      await rt.call(step, 1);
    });
    expect(tree.root.node).toBe(`raw ${KEY}`);
    expect(tree.root.children[0]!.node).toBe("step");
  });
});
