import { describe, expect, test } from "vitest";
import { criticalPath } from "../../../packages/viz/client/src/tree/critical-path.js";
import { isOpen, shownStatus, TreeModel } from "../../../packages/viz/client/src/tree/model.js";
import { navigate, toggle } from "../../../packages/viz/client/src/tree/navigation.js";
import { collapseAll, expandTo, visibleRows } from "../../../packages/viz/client/src/tree/rows.js";
import { findMatches, stepMatch } from "../../../packages/viz/client/src/tree/search.js";
import type { FlatCall } from "../../../packages/viz/src/shared/types.js";
import { flat, sample } from "./fixtures.js";

const ids = (nodes: { id: string }[]) => nodes.map((node) => node.id);

function model(calls = sample()): TreeModel {
  const tree = new TreeModel();
  tree.upsertAll(calls);
  return tree;
}

describe("TreeModel", () => {
  test("builds the tree with depths and children in start order, whatever the arrival order", () => {
    const calls = sample();
    const shuffled = [calls[5]!, calls[3]!, calls[0]!, calls[4]!, calls[2]!, calls[1]!];
    const tree = model(shuffled);
    expect(tree.root?.id).toBe("0");
    expect(ids(tree.root!.children)).toEqual(["1", "4"]);
    expect(ids(tree.get("1")!.children)).toEqual(["2", "3"]);
    expect(tree.get("5")!.depth).toBe(2);
    expect(tree.waiting).toBe(0);
    expect(tree.size).toBe(6);
  });

  test("inserts a late sibling by its start time", () => {
    const tree = model();
    tree.upsert(flat("6", "0", 30));
    expect(ids(tree.root!.children)).toEqual(["1", "6", "4"]);
  });

  test("upserts replace a call; an older running update never undoes an end", () => {
    const tree = model();
    tree.upsert(flat("7", "4", 60, { status: "running", end: undefined }));
    expect(tree.get("7")!.call.status).toBe("running");
    expect(tree.upsert(flat("7", "4", 60, { status: "ok", end: 70, output: "done" }))).toBe(true);
    expect(tree.upsert(flat("7", "4", 60, { status: "running", end: undefined }))).toBe(false);
    expect(tree.get("7")!.call.output).toBe("done");
    expect(ids(tree.get("4")!.children)).toEqual(["5", "7"]);
  });

  test("keeps calls whose parent has not arrived, and shows them under the root when it never does", () => {
    const tree = model();
    tree.upsert(flat("9", "8", 70));
    expect(tree.waiting).toBe(1);
    expect(visibleRows(tree, { collapsed: new Set() }).some((node) => node.id === "9")).toBe(false);
    tree.adoptOrphans();
    expect(tree.get("9")!.parent?.id).toBe("0");
    expect(tree.get("9")!.depth).toBe(1);
  });

  test("moves a call with its subtree when an update names another parent", () => {
    const tree = model();
    // "1" (with "2" and "3") goes under "4", among its children by start.
    tree.upsert(flat("1", "4", 1, { end: 50, node: "plan" }));
    expect(ids(tree.root!.children)).toEqual(["4"]);
    expect(ids(tree.get("4")!.children)).toEqual(["1", "5"]);
    expect([tree.get("1")!.depth, tree.get("2")!.depth, tree.get("3")!.depth]).toEqual([2, 3, 3]);
    expect(tree.get("1")!.parent?.id).toBe("4");
    // Under a parent not here yet: it waits, then goes there when it comes.
    tree.upsert(flat("5", "9", 52, { end: 98, node: "model" }));
    expect(ids(tree.get("4")!.children)).toEqual(["1"]);
    expect(tree.waiting).toBe(1);
    tree.upsert(flat("9", "0", 60, { end: 99 }));
    expect(tree.waiting).toBe(0);
    expect(tree.get("5")!.parent?.id).toBe("9");
    expect(tree.get("5")!.depth).toBe(2);
    // A call waiting for a parent that never came, named under one that is here: it goes there.
    tree.upsert(flat("8", "gone", 70, { end: 80 }));
    expect(tree.waiting).toBe(1);
    tree.upsert(flat("8", "9", 70, { end: 80 }));
    expect(tree.waiting).toBe(0);
    expect(ids(tree.get("9")!.children)).toEqual(["5", "8"]);
  });

  test("tracks the latest time seen", () => {
    expect(model().lastTime).toBe(100);
  });

  test("a 100,000-deep chain builds and lists without overflowing the stack", () => {
    const calls = [flat("0", null, 0)];
    for (let i = 1; i <= 100_000; i++) calls.push(flat(String(i), String(i - 1), i));
    const tree = model(calls);
    expect(tree.get("100000")!.depth).toBe(100_000);
    expect(visibleRows(tree, { collapsed: new Set() })).toHaveLength(100_001);
    expect(criticalPath(tree, 0)).toHaveLength(100_001);
  });
});

describe("visible rows", () => {
  test("depth-first, children by start; collapsed calls hide their subtree", () => {
    const tree = model();
    expect(ids(visibleRows(tree, { collapsed: new Set() }))).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(ids(visibleRows(tree, { collapsed: new Set(["1"]) }))).toEqual(["0", "1", "4", "5"]);
    expect(ids(visibleRows(tree, { collapsed: new Set(["0"]) }))).toEqual(["0"]);
  });

  test("errors only keeps failed calls and their ancestors", () => {
    expect(ids(visibleRows(model(), { collapsed: new Set(), errorsOnly: true }))).toEqual(["0", "1", "3"]);
  });

  test("collapse all leaves the root and its children; expandTo opens a call's ancestors only", () => {
    const tree = model();
    const collapsed = collapseAll(tree);
    expect([...collapsed].sort()).toEqual(["1", "4"]);
    expect(ids(visibleRows(tree, { collapsed }))).toEqual(["0", "1", "4"]);
    const opened = expandTo(tree, "3", collapsed);
    expect([...opened]).toEqual(["4"]);
    expect(ids(visibleRows(tree, { collapsed: opened }))).toEqual(["0", "1", "2", "3", "4"]);
    expect(expandTo(tree, "2", opened)).toBe(opened);
  });
});

describe("keyboard navigation", () => {
  const tree = model();
  const rows = visibleRows(tree, { collapsed: new Set() });

  test("↑/↓ move and stop at the ends; Home/End jump", () => {
    let state = navigate(rows, { cursor: undefined, collapsed: new Set() }, "down");
    expect(state.cursor).toBe("0");
    state = navigate(rows, state, "down");
    expect(state.cursor).toBe("1");
    expect(navigate(rows, { cursor: "0", collapsed: new Set() }, "up").cursor).toBe("0");
    expect(navigate(rows, state, "end").cursor).toBe("5");
    expect(navigate(rows, { cursor: "5", collapsed: new Set() }, "home").cursor).toBe("0");
    expect(navigate(rows, { cursor: "1", collapsed: new Set() }, "pageDown", 3).cursor).toBe("4");
  });

  test("← collapses an open call, then goes to the parent; → expands, then goes to the first child", () => {
    let state = navigate(rows, { cursor: "1", collapsed: new Set() }, "left");
    expect(state.cursor).toBe("1");
    expect([...state.collapsed]).toEqual(["1"]);
    state = navigate(rows, state, "left");
    expect(state.cursor).toBe("0");
    state = navigate(rows, { cursor: "1", collapsed: new Set(["1"]) }, "right");
    expect(state.collapsed.has("1")).toBe(false);
    expect(navigate(rows, state, "right").cursor).toBe("2");
    expect(navigate(rows, { cursor: "2", collapsed: new Set() }, "left").cursor).toBe("1");
  });

  test("toggle", () => {
    expect([...toggle(new Set(["a"]), "b")]).toEqual(["a", "b"]);
    expect([...toggle(new Set(["a"]), "a")]).toEqual([]);
  });
});

describe("search", () => {
  test("matches names, ids, input and output text and error messages, case-insensitive, in tree order", () => {
    const tree = model();
    expect(ids(findMatches(tree, "SEARCH"))).toEqual(["2"]);
    expect(ids(findMatches(tree, "cats and"))).toEqual(["2"]);
    expect(ids(findMatches(tree, "hello world"))).toEqual(["4"]);
    expect(ids(findMatches(tree, "econnreset"))).toEqual(["3"]);
    expect(ids(findMatches(tree, "node-"))).toEqual([]);
    expect(ids(findMatches(tree, "5"))).toEqual(["5"]);
    expect(findMatches(tree, "   ")).toEqual([]);
  });

  test("finds calls under collapsed ones, and stays within a filter", () => {
    const tree = model();
    const all = findMatches(tree, "e"); // session, search, fetch, write, model (and not plan)
    expect(ids(all)).toEqual(["0", "2", "3", "4", "5"]);
    const failing = new Set(visibleRows(tree, { collapsed: new Set(), errorsOnly: true }));
    expect(ids(findMatches(tree, "e", failing))).toEqual(["0", "3"]);
  });

  test("sees a call's new output after an update", () => {
    const tree = model();
    expect(findMatches(tree, "brand new")).toEqual([]);
    tree.upsert(flat("5", "4", 52, { end: 98, node: "model", output: "Brand new answer" }));
    expect(ids(findMatches(tree, "brand new"))).toEqual(["5"]);
  });

  test("next/previous wrap around", () => {
    expect(stepMatch(3, -1, 1)).toBe(0);
    expect(stepMatch(3, -1, -1)).toBe(2);
    expect(stepMatch(3, 2, 1)).toBe(0);
    expect(stepMatch(3, 0, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });
});

describe("critical path", () => {
  test("from the root, repeatedly the child that ended last", () => {
    expect(ids(criticalPath(model(), 0))).toEqual(["0", "4", "5"]);
  });

  test("sequential children: the last one decides, not the longest", () => {
    const tree = model([
      flat("0", null, 0, { end: 300 }),
      flat("1", "0", 0, { end: 200 }),
      flat("2", "0", 200, { end: 300 }),
    ]);
    expect(ids(criticalPath(tree, 0))).toEqual(["0", "2"]);
  });

  test("a running child counts as ending now", () => {
    const tree = model([
      flat("0", null, 0, { end: undefined, status: "running" }),
      flat("1", "0", 0, { end: undefined, status: "running" }),
      flat("2", "0", 5, { end: 90 }),
    ]);
    expect(ids(criticalPath(tree, 100))).toEqual(["0", "1"]);
    expect(ids(criticalPath(tree, 50))).toEqual(["0", "2"]);
  });
});

describe("malformed records", () => {
  test("a call naming its own descendant as parent ends up under the root, not in a loop", () => {
    const tree = new TreeModel();
    tree.upsertAll([flat("0", null, 0), flat("2", "1", 2), flat("1", "2", 1)]);
    expect(tree.get("1")!.parent?.id).toBe("2");
    expect(tree.get("2")!.parent?.id).toBe("0");
    expect(ids(visibleRows(tree, { collapsed: new Set() }))).toEqual(["0", "2", "1"]);
  });

  test("a call naming itself as parent waits, then goes under the root", () => {
    const tree = new TreeModel();
    tree.upsertAll([flat("0", null, 0), flat("1", "1", 1)]);
    tree.adoptOrphans();
    expect(tree.get("1")!.parent?.id).toBe("0");
  });
});

describe("a session that never ended", () => {
  /** The writer died while call 2 ran: the root is `interrupted`, call 2 is still `running`. */
  function interrupted(): FlatCall[] {
    return [
      flat("0", null, 0, { status: "interrupted", end: undefined }),
      flat("1", "0", 1, { end: 40 }),
      flat("2", "0", 50, {
        status: "running",
        end: undefined,
        events: [
          { name: "token", time: 60 },
          { name: "token", time: 75 },
        ],
      }),
    ];
  }

  test("the last time seen is the latest start, end or event recorded", () => {
    expect(model(interrupted()).lastTime).toBe(75);
    const noEvents = interrupted().map((call) => ({ ...call, events: [] }));
    expect(model(noEvents).lastTime).toBe(50);
  });

  test("calls with no end are open-ended unless the session is followed live", () => {
    const [root, done, running] = interrupted();
    expect(isOpen(root!, false)).toBe(true);
    expect(isOpen(running!, false)).toBe(true);
    expect(isOpen(done!, false)).toBe(false);
    expect(isOpen(running!, true)).toBe(false);
  });

  test("a call left running shows `unfinished`; the root keeps `interrupted`; live calls stay `running`", () => {
    const [root, done, running] = interrupted();
    expect(shownStatus(root!, false)).toBe("interrupted");
    expect(shownStatus(running!, false)).toBe("unfinished");
    expect(shownStatus(running!, true)).toBe("running");
    expect(shownStatus(done!, false)).toBe("ok");
  });
});
