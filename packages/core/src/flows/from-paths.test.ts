import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

/** A content task that takes a little time and says what it made from what. */
function task(name: string, make: (input: any) => string) {
  return rt.functionNode(
    async (input: unknown) => {
      await sleep(5, undefined, { signal: rt.signal() });
      return make(input);
    },
    { name },
  );
}

const ENTITIES: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">" };

/** Reads a Mermaid flowchart back: step names by Mermaid id, and the edges as "from -> to" by name. */
function parseMermaid(text: string): { names: Map<string, string>; edges: Set<string> } {
  const names = new Map<string, string>();
  const edges = new Set<string>();
  for (const line of text.split("\n").slice(1)) {
    const node = /^ {2}(s\d+)\["([^"]*)"\](:::excluded)?$/.exec(line);
    if (node) {
      const label = node[2]!.split("<br/>")[0]!.replace(/ \(excluded\)$/, "");
      const name = label.replace(/#(\w+);/g, (_, code: string) =>
        /^\d+$/.test(code) ? String.fromCharCode(Number(code)) : ENTITIES[code]!,
      );
      names.set(node[1]!, name);
      continue;
    }
    const edge = /^ {2}(s\d+) --> (s\d+)$/.exec(line);
    if (edge) {
      edges.add(`${names.get(edge[1]!)} -> ${names.get(edge[2]!)}`);
      continue;
    }
    expect(line).toMatch(/^ {2}classDef excluded /);
  }
  return { names, edges };
}

describe("the content flow of 003 through rt.flow.fromPaths", () => {
  const spec = task("writeSpec", (brief: string) => `spec(${brief})`);
  const design = task("designSite", (s: string) => `design(${s})`);
  const imageText = task("describeImage", (d: string) => `image-text(${d})`);
  const logo = task("drawLogo", (t: string) => `logo(${t})`);
  const code = task(
    "writeCode",
    (both: { task1: string; task2: string }) => `code(${both.task1} + ${both.task2})`,
  );
  const paths = {
    task1: ["task2", "task5"],
    task2: ["task3", "task5"],
    task3: ["task4"],
    task5: [],
  };
  const content = rt.flow.fromPaths(
    "content",
    { task1: spec, task2: design, task3: imageText, task4: { node: logo, exclude: true }, task5: code },
    paths,
  );

  it("sends outputs along the edges and leaves the excluded step's output out of the result", async () => {
    const session = new rt.Session({ name: "content" });
    const out = await session.run(() => content("an environmental blog"));
    const s = "spec(an environmental blog)";
    const d = `design(${s})`;
    expect(out).toEqual({ task1: s, task2: d, task3: `image-text(${d})`, task5: `code(${s} + ${d})` });
    expect(Object.keys(out)).not.toContain("task4");
    // The excluded step still ran, on its producer's output.
    const task4 = session.tree.find("task4")!;
    expect(task4.status).toBe("ok");
    expect(task4.output).toBe(`logo(image-text(${d}))`);
    expect(content.levels()).toEqual([["task1"], ["task2"], ["task3", "task5"], ["task4"]]);
  });

  it("draws exactly its edges in Mermaid, with the excluded step marked", () => {
    const text = content.toMermaid();
    expect(text.split("\n")[0]).toBe("flowchart TD");
    const { names, edges } = parseMermaid(text);
    const expected = Object.entries(paths).flatMap(([from, tos]) => tos.map((to) => `${from} -> ${to}`));
    expect(edges).toEqual(new Set(expected));
    expect(edges.size).toBe(text.split("\n").filter((l) => l.includes("-->")).length);
    expect([...names.values()]).toEqual(["task1", "task2", "task3", "task4", "task5"]);
    expect(text).toMatch(/s3\["task4<br\/>\(drawLogo\) \(excluded\)"\]:::excluded/);
    expect(content.toMermaid({ direction: "LR" }).split("\n")[0]).toBe("flowchart LR");
  });

  it("rejects paths that name no task", () => {
    expect(() => rt.flow.fromPaths("bad-paths", { a: spec }, { a: ["b"] })).toThrow(
      /consumer "b" \(listed by "a"\) is not a task \(tasks: a\)/,
    );
    expect(() => rt.flow.fromPaths("bad-paths", { a: spec }, { z: [] })).toThrow(
      /producer "z" in paths is not a task/,
    );
    expect(() => rt.flow.fromPaths("bad-paths", { a: spec, b: design }, { a: ["b", "b"] })).toThrow(
      /lists "b" twice/,
    );
    expect(() => rt.flow.fromPaths("bad-paths", { a: { node: spec, after: [] } as never }, {})).toThrow(
      /dependencies come from paths/,
    );
  });
});

describe("Mermaid labels", () => {
  it("stay valid whatever the step names hold", () => {
    const names = ['say "hi" [now]', "a<b>&c", "#1 (one) {x}", "end", "line\nbreak", "back`tick`"];
    const n = rt.functionNode((x: unknown) => x, { name: "identity" });
    const steps = Object.fromEntries(
      names.map((name, i) => [name, i === 0 ? n : { node: n, after: [names[i - 1]!] }]),
    );
    const text = rt.flow("odd-names", steps).toMermaid();
    for (const line of text.split("\n").slice(1)) {
      // One quoted label per node line, nothing outside the quotes but the id; the only markup is
      // the line break before the node's name.
      expect(line.replaceAll("<br/>", "")).toMatch(/^ {2}(s\d+\["[^"\n`<>]*"\]|s\d+ --> s\d+)$/);
    }
    const parsed = parseMermaid(text);
    expect([...parsed.names.values()]).toEqual(names.map((name) => name.replace("\n", " ")));
    expect(parsed.edges.size).toBe(names.length - 1);
  });
});
