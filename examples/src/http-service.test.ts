import type { Server } from "node:http";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { listen, makeService, offlineModel } from "./http-service.js";

let server: Server | undefined;

beforeEach(() => {
  rt.configure({ store: null });
});

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

function walk(record: rt.CallRecordJSON): rt.CallRecordJSON[] {
  return [record, ...record.children.flatMap(walk)];
}

it("gives concurrent requests separate sessions, each with only its own calls", async () => {
  server = makeService(offlineModel());
  const base = await listen(server);
  const questions = Array.from({ length: 6 }, (_, i) => `Where is order ${100 + i}?`);
  const replies = await Promise.all(
    questions.map(async (question) => {
      const response = await fetch(`${base}/ask?trace`, {
        method: "POST",
        body: JSON.stringify({ question }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { answer: string; sessionId: string; tree: rt.CallRecordJSON };
    }),
  );

  expect(new Set(replies.map((r) => r.sessionId)).size).toBe(questions.length);
  replies.forEach((reply, i) => {
    const orderId = String(100 + i);
    expect(reply.answer).toContain(`Order ${orderId} is`);
    const tree = reply.tree;
    expect(tree.kind).toBe("session");
    expect(tree.node).toBe("POST /ask");
    const [agent] = tree.children;
    expect(agent!.input).toEqual([questions[i]]);
    expect(agent!.children.map((c) => c.node)).toEqual([
      "chat scripted-support",
      "orderStatus",
      "shippingEstimate",
      "chat scripted-support",
    ]);
    // Every call in this tree belongs to this session and this order only.
    for (const record of walk(tree)) expect(record.sessionId).toBe(reply.sessionId);
    for (const tool of agent!.children.slice(1, 3)) expect(tool.input).toEqual([orderId]);
  });
  // The requests really were served at the same time.
  const roots = replies.map((r) => r.tree);
  expect(Math.max(...roots.map((r) => r.start))).toBeLessThan(Math.min(...roots.map((r) => r.end!)));
});

it("streams an answer as server-sent events", async () => {
  server = makeService(offlineModel());
  const base = await listen(server);
  const response = await fetch(`${base}/ask/stream?q=${encodeURIComponent("Where is order 8?")}`);
  const text = await response.text();
  const tokens = [...text.matchAll(/^data: (".*")$/gm)].map((m) => JSON.parse(m[1]!) as string);
  expect(tokens.length).toBeGreaterThan(3);
  expect(tokens.join("")).toBe("Order 8 is shipped and should arrive in 3 day(s).");
  expect(text).toContain("event: done");
});
