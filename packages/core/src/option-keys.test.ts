import { describe, expect, it } from "vitest";
import * as rt from "./index.js";
import { setupTracing } from "./otel.js";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

async function rejected(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** The message a misspelled option gets, in every entry point. */
function expectUnknown(error: Error, key: string, guess: string | undefined, known: string[]): void {
  expect(error).toBeInstanceOf(rt.InvalidOptionsError);
  expect((error as rt.InvalidOptionsError).code).toBe("RUNTRACE_INVALID_OPTIONS");
  const hint = guess === undefined ? "" : ` (did you mean \`${guess}\`?)`;
  expect(error.message).toContain(`unknown option \`${key}\`${hint}. Known options`);
  expect(error.message).toContain(known.join(", "));
}

const noop = rt.functionNode(async (x: string) => x, { name: "option-keys.noop" });
const model = rt.scriptedModel(["hi"]);

describe("rt.checkOptionKeys", () => {
  it("names the unknown key, the closest known one and all known ones", () => {
    const error = thrown(() => rt.checkOptionKeys("helper", { timeout: 5 }, ["timeoutMs", "retry"]));
    expect(error.message).toBe(
      "helper: unknown option `timeout` (did you mean `timeoutMs`?). Known options: timeoutMs, retry.",
    );
  });

  it("guesses from a different case, a transposition or a prefix, and not from far away", () => {
    const known = ["record", "redact", "store", "maxPayloadBytes", "concurrency"];
    const guess = (key: string) =>
      /did you mean `(\w+)`/.exec(thrown(() => rt.checkOptionKeys("w", { [key]: 1 }, known)).message)?.[1];
    expect(guess("recrod")).toBe("record");
    expect(guess("Store")).toBe("store");
    expect(guess("maxpayloadbytes")).toBe("maxPayloadBytes");
    expect(guess("concurr")).toBe("concurrency");
    expect(guess("colour")).toBeUndefined();
  });

  it("names the nested path", () => {
    const error = thrown(() => rt.checkOptionKeys("w", { inptu: false }, ["input", "output"], "record"));
    expect(error.message).toBe(
      "w: unknown option `record.inptu` (did you mean `record.input`?). Known options of `record`: input, output.",
    );
  });

  it("accepts known keys, also when their value is undefined", () => {
    expect(() => rt.checkOptionKeys("w", { a: undefined, b: 1 }, ["a", "b"])).not.toThrow();
  });
});

describe("every function taking options rejects unknown ones", () => {
  it("rt.configure, its `record`, `redact` and `limits`, and changes nothing when it throws", async () => {
    expectUnknown(
      thrown(() => rt.configure({ recrod: false } as never)),
      "recrod",
      "record",
      ["store", "redact", "maxPayloadBytes", "limits", "record", "logger"],
    );
    expectUnknown(
      thrown(() => rt.configure({ record: { inptu: false } as never })),
      "record.inptu",
      "record.input",
      ["input", "output"],
    );
    expectUnknown(
      thrown(() => rt.configure({ redact: { key: ["ssn"] } as never })),
      "redact.key",
      "redact.keys",
      ["keys", "patterns", "replacement", "defaults"],
    );
    expectUnknown(
      thrown(() => rt.configure({ limits: { maxStringLen: 5 } as never })),
      "limits.maxStringLen",
      "limits.maxStringLength",
      ["maxPayloadBytes", "maxStringLength"],
    );
    expect(() => rt.configure({ record: { input: "no" } as never })).toThrow(
      "expected `record.input` to be true or false",
    );
    // The rejected calls above changed nothing: values are still recorded in full.
    const session = new rt.Session({ name: "option-keys.configure", store: null });
    await session.run(() => noop("kept"));
    expect(session.tree.find("option-keys.noop")!.input).toEqual(["kept"]);
  });

  it("rt.callWith and `retry`", async () => {
    expectUnknown(
      await rejected(() => rt.callWith({ timeout: 5 } as never, noop, "x")),
      "timeout",
      "timeoutMs",
      ["name", "timeoutMs", "retry", "signal", "attributes"],
    );
    expectUnknown(
      await rejected(() => rt.callWith({ retry: { attempts: 2, delay: 5 } as never }, noop, "x")),
      "retry.delay",
      "retry.delayMs",
      ["attempts", "backoff", "delayMs", "maxDelayMs", "jitter", "retryOn"],
    );
    expect(await rt.callWith({ timeoutMs: 1000, retry: { attempts: 2, delayMs: 1 } }, noop, "ok")).toBe("ok");
  });

  it("node options, their `record` and `retry`", () => {
    expectUnknown(
      thrown(() => rt.functionNode(() => 1, { name: "n", record: { outptu: false } as never })),
      "record.outptu",
      "record.output",
      ["input", "output"],
    );
    expectUnknown(
      thrown(() => rt.functionNode(() => 1, { name: "n", retry: { attempt: 3 } as never })),
      "retry.attempt",
      "retry.attempts",
      ["attempts", "backoff"],
    );
  });

  it("rt.Session and rt.session", async () => {
    expectUnknown(
      thrown(() => new rt.Session({ timeout: 5 } as never)),
      "timeout",
      "timeoutMs",
      ["name", "store", "timeoutMs", "signal", "attributes", "parent"],
    );
    expectUnknown(await rejected(() => rt.session({ nmae: "x" } as never, () => 1)), "nmae", "name", [
      "name",
      "store",
    ]);
  });

  it("rt.all, rt.map and rt.asCompleted", () => {
    const tasks = [() => 1];
    expectUnknown(
      thrown(() => rt.all(tasks, { concurency: 2 } as never)),
      "concurency",
      "concurrency",
      ["concurrency", "settle"],
    );
    expect(thrown(() => rt.all(tasks, { settled: true } as never)).message).toContain(
      "rt.all: unknown option `settled` (did you mean `settle`?)",
    );
    expect(thrown(() => rt.map(noop, ["a"], { limit: 2 } as never)).message).toContain(
      "rt.map: unknown option `limit`",
    );
    expectUnknown(
      thrown(() => rt.asCompleted(tasks, { settle: true } as never)),
      "settle",
      undefined,
      ["concurrency"],
    );
  });

  it("rt.flow options and steps, rt.flow.fromPaths tasks, rt.flowFromJSON and toMermaid", () => {
    expectUnknown(
      thrown(() => rt.flow("f", { a: noop }, { timeout: 5 } as never)),
      "timeout",
      "timeoutMs",
      ["parallel", "concurrency", "onError", "returns", "description", "timeoutMs"],
    );
    const step = thrown(() => rt.flow("f", { a: noop, b: { node: noop, afer: ["a"] } as never }));
    expect(step).toBeInstanceOf(rt.FlowDefinitionError);
    expect(step.message).toContain(
      'step "b": unknown option `afer` (did you mean `after`?). Known options: node, after, args, exclude.',
    );
    const task = thrown(() => rt.flow.fromPaths("f", { a: { node: noop, exclud: true } as never }, {}));
    expect(task).toBeInstanceOf(rt.FlowDefinitionError);
    expect(task.message).toContain('task "a": unknown option `exclud` (did you mean `exclude`?)');
    const flow = rt.flow("option-keys.flow", { a: noop });
    expectUnknown(
      thrown(() => rt.flowFromJSON(flow.toJSON(), { arg: {} } as never)),
      "arg",
      "args",
      ["args"],
    );
    expectUnknown(
      thrown(() => flow.toMermaid({ dir: "LR" } as never)),
      "dir",
      "direction",
      ["direction"],
    );
  });

  it("rt.formatTree, rt.stream and rt.configureTracing", async () => {
    const session = new rt.Session({ name: "option-keys.format", store: null });
    await session.run(() => noop("x"));
    expectUnknown(
      thrown(() => rt.formatTree(session.tree, { colour: false } as never)),
      "colour",
      "color",
      ["depth", "color", "errorsOnly"],
    );
    expectUnknown(
      thrown(() => rt.stream(noop, "x", { signl: undefined } as never)),
      "signl",
      "signal",
      ["signal", "name"],
    );
    expectUnknown(
      thrown(() => rt.configureTracing({ recordPayload: true } as never)),
      "recordPayload",
      "recordPayloads",
      ["recordPayloads"],
    );
    expectUnknown(
      thrown(() => rt.configureTracing({ recordPayloads: { inputs: true } as never })),
      "recordPayloads.inputs",
      "recordPayloads.input",
      ["input", "output"],
    );
  });

  it("setupTracing and its `batch`", () => {
    expectUnknown(
      thrown(() => setupTracing({ serviceName: "s", endpont: "http://127.0.0.1:1" } as never)),
      "endpont",
      "endpoint",
      [
        "serviceName",
        "endpoint",
        "protocol",
        "headers",
        "timeoutMs",
        "resourceAttributes",
        "batch",
        "foreignSpans",
        "recordPayloads",
      ],
    );
    expectUnknown(
      thrown(() => setupTracing({ serviceName: "s", batch: { maxQueue: 5 } as never })),
      "batch.maxQueue",
      "batch.maxQueueSize",
      ["maxQueueSize", "maxExportBatchSize"],
    );
  });

  it("models, llmNode and agentNode, and a model's `price`", () => {
    expectUnknown(
      thrown(() => rt.openaiCompatible({ model: "m", baseUrl: "http://127.0.0.1:1", apiKey: "k" } as never)),
      "baseUrl",
      "baseURL",
      ["model", "baseURL", "apiKey", "provider", "timeoutMs", "maxRetries"],
    );
    expectUnknown(
      thrown(() =>
        rt.openaiCompatible({
          model: "m",
          baseURL: "http://127.0.0.1:1",
          apiKey: "k",
          price: { inputPerMillion: 1, outputPerMillion: 2, currency: "EUR" } as never,
        }),
      ),
      "price.currency",
      undefined,
      ["inputPerMillion", "outputPerMillion"],
    );
    expectUnknown(
      thrown(() => rt.scriptedModel(["a"], { delay: 5 } as never)),
      "delay",
      "delayMs",
      ["name", "provider", "delayMs", "tokenDelayMs", "price", "loop"],
    );
    expectUnknown(
      thrown(() => rt.scriptedModel([{ txt: "hello" } as never])),
      "txt",
      "text",
      ["text", "toolCalls", "usage", "delayMs", "tokenDelayMs", "error"],
    );
    expectUnknown(
      thrown(() => rt.scriptedModel([{ toolCalls: [{ name: "t", args: {} }] } as never])),
      "toolCalls[0].args",
      undefined,
      ["name", "arguments", "id"],
    );
    expectUnknown(
      thrown(() => rt.llmNode({ name: "l", model, sytem: "Be brief." } as never)),
      "sytem",
      "system",
      ["name", "model", "system", "prompt"],
    );
    expectUnknown(
      thrown(() => rt.agentNode({ name: "a", model, tools: [], maxTurn: 3 } as never)),
      "maxTurn",
      "maxTurns",
      ["name", "model", "system", "tools", "maxTurns", "output"],
    );
  });

  it("a scripted reply function's reply is checked when it is used", async () => {
    const scripted = rt.scriptedModel([() => ({ txt: "late typo" }) as never]);
    const ask = rt.llmNode({ name: "option-keys.ask", model: scripted });
    const error = await rejected(() =>
      rt.session({ name: "option-keys.reply", store: null }, () => ask("q")),
    );
    expectUnknown(error, "txt", "text", ["text", "toolCalls"]);
  });

  it("rt.jsonlStore", () => {
    expectUnknown(
      thrown(() => rt.jsonlStore({ directory: "/tmp/x" } as never)),
      "directory",
      undefined,
      ["dir"],
    );
    expectUnknown(
      thrown(() => rt.jsonlStore({ dri: "/tmp/x" } as never)),
      "dri",
      "dir",
      ["dir"],
    );
  });
});
