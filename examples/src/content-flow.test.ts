import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { makeContentFlow, offlineModel } from "./content-flow.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("runs the tasks along their paths, leaves the excluded logo out, and draws the graph", async () => {
  const content = makeContentFlow(offlineModel());
  const session = new rt.Session({ name: "content" });
  const output = await session.run(() => content("the environment"));

  expect(Object.keys(output).sort()).toEqual(["code", "design", "imageDescription", "spec"]);
  expect(output.spec).toMatch(/^Requirements/);
  const flow = session.tree.find("contentFlow")!;
  const steps = Object.fromEntries(flow.children.map((c) => [c.node, c]));
  expect(Object.keys(steps).sort()).toEqual(["code", "design", "imageDescription", "logo", "spec"]);
  // The logo ran (its output is recorded) even though the flow's result leaves it out.
  expect(steps.logo!.status).toBe("ok");
  expect(String(steps.logo!.output)).toContain("<svg");
  // Each step starts after its producers end; code waits for both spec and design.
  expect(steps.design!.start).toBeGreaterThanOrEqual(steps.spec!.end!);
  expect(steps.code!.start).toBeGreaterThanOrEqual(Math.max(steps.spec!.end!, steps.design!.end!));
  expect(steps.logo!.start).toBeGreaterThanOrEqual(steps.imageDescription!.end!);
  // Code and the image description both wait only for design: they run together.
  expect(
    steps.code!.start < steps.imageDescription!.end! && steps.imageDescription!.start < steps.code!.end!,
  ).toBe(true);

  const mermaid = content.toMermaid();
  expect(mermaid.startsWith("flowchart TD")).toBe(true);
  expect(mermaid.match(/-->/g)).toHaveLength(5);
  expect(mermaid).toContain("logo");
  expect(mermaid).toContain("(excluded)");
});
