import { describeValue, InvalidOptionsError, unboundMethodFix } from "../errors.js";
import { errorText, textOf } from "../internal/safe.js";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
} from "../internal/semconv.js";
import { nodeHandle } from "../nodes/def.js";
import type { Node, ToolSchema } from "../nodes/node.js";
import { defineNode } from "../nodes/options.js";
import { type CallOptions, call, callWith } from "../runtime/call.js";
import { makeNode } from "../runtime/make-node.js";
import type { ToolCall } from "./types.js";

/** What an `execute_tool` record shows as its input when it wraps an LLM, agent or flow node. */
class ToolInvocation {
  readonly node: Node;
  readonly args: unknown[];
  constructor(node: Node, args: unknown[]) {
    this.node = node;
    this.args = args;
  }
  toJSON() {
    return { tool: this.node.name, arguments: this.args };
  }
}

// Runs an LLM, agent or flow node as a tool: a record of kind `tool` named after it, with the
// node's own call (its own kind, its own subtree) below it.
const executeTool = makeNode<[ToolInvocation], unknown>(
  defineNode((invocation: ToolInvocation) => call(invocation.node, ...invocation.args), "execute_tool", {
    kind: "tool",
    record: { input: true, output: true },
  }),
  undefined,
);

// A plain function node used as a tool runs as itself, recorded with kind `tool`: the same
// definition (same validation, retry, timeout and concurrency gate), another kind.
const toolTwins = new WeakMap<Node, Node>();

function twinOf(node: Node): Node {
  let twin = toolTwins.get(node);
  if (twin === undefined) {
    const handle = nodeHandle(node)!;
    twin = makeNode({ ...handle.def, kind: "tool" }, handle.self);
    toolTwins.set(node, twin);
  }
  return twin;
}

interface Tool {
  node: Node;
  schema: ToolSchema;
}

/**
 * The arguments of `node` from the JSON object a model wrote for it: one per named parameter (in
 * the order of `params`), or the whole object for a node that takes one object.
 */
export function toolArguments(node: Node, input: unknown): unknown[] {
  // Named parameters, from `params` or from a decorated method's declared types.
  const names = nodeHandle(node)?.def.params?.namedParameters;
  if (names === undefined) return [input];
  const object = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const args = names.map((name) => object[name]);
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return args;
}

/**
 * Runs `node` with `args` as a tool call, a child of the running call: a tool node as itself, a
 * plain function node as itself recorded with kind `tool`, and an LLM, agent or flow node under an
 * `execute_tool` record of its own.
 */
export function callAsTool(node: Node, args: unknown[], options: CallOptions): Promise<unknown> {
  switch (node.kind) {
    case "tool":
      return callWith(options, node, ...args);
    case "function":
      return callWith(options, twinOf(node), ...args);
    default:
      return callWith(options, executeTool, new ToolInvocation(node, args));
  }
}

function resultText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "(no result)";
  try {
    return JSON.stringify(value) ?? textOf(value);
  } catch {
    return textOf(value);
  }
}

/** An agent's tools: their schemas for the model, and how to run one tool call. */
export class Toolbox {
  readonly schemas: ToolSchema[];
  readonly #tools = new Map<string, Tool>();

  constructor(where: string, tools: unknown) {
    if (!Array.isArray(tools)) {
      throw new InvalidOptionsError(
        `${where}: expected \`tools\` to be an array of nodes (rt.functionNode, decorated methods, rt.llmNode, rt.agentNode, rt.flow), got ${describeValue(tools)}.`,
      );
    }
    for (const [i, tool] of tools.entries()) {
      const handle = nodeHandle(tool);
      if (handle === undefined) {
        const unbound = unboundMethodFix(tool, (ref) => `tools: [${ref}]`);
        const fix =
          unbound !== undefined
            ? ` ${unbound}`
            : typeof tool === "function"
              ? ` Wrap it first: rt.functionNode(${tool.name || "fn"}, { kind: "tool", description, params }).`
              : "";
        throw new InvalidOptionsError(
          `${where}: expected \`tools[${i}]\` to be a node, got ${describeValue(tool)}.${fix}`,
        );
      }
      const node = tool as Node;
      const schema = node.toolSchema();
      if (this.#tools.has(schema.name)) {
        throw new InvalidOptionsError(
          `${where}: two tools are named "${schema.name}" for the model. Give one of them another \`name\`.`,
        );
      }
      this.#tools.set(schema.name, { node, schema });
    }
    this.schemas = [...this.#tools.values()].map((tool) => tool.schema);
  }

  /**
   * Runs one tool call as a child of the running call (named after the tool, kind `tool`, which
   * tracing exports as an `execute_tool <tool>` span) and resolves with the text for the model. A failure, an unknown tool or unreadable arguments
   * become error text for the model, so the loop goes on; only cancellation is thrown.
   */
  async run(toolCall: ToolCall, signal: AbortSignal): Promise<string> {
    const tool = this.#tools.get(toolCall.name);
    if (tool === undefined) {
      const known = [...this.#tools.keys()].join(", ") || "none";
      return `Error: there is no tool named "${toolCall.name}". Available tools: ${known}.`;
    }
    let parsed: unknown;
    try {
      parsed = toolCall.arguments.trim() === "" ? {} : JSON.parse(toolCall.arguments);
    } catch (error) {
      return `Error: the arguments for "${toolCall.name}" are not valid JSON (${errorText(error)}). Send a JSON object matching its parameters.`;
    }
    const args = toolArguments(tool.node, parsed);
    // No operation prefix in the record's name: kind `tool` already reads (and is exported) as
    // `execute_tool <name>`.
    const options = {
      name: tool.node.name,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
        [ATTR_GEN_AI_TOOL_NAME]: toolCall.name,
        [ATTR_GEN_AI_TOOL_CALL_ID]: toolCall.id,
      },
    };
    try {
      const output = await callAsTool(tool.node, args, options);
      return resultText(output);
    } catch (error) {
      // The agent itself was cancelled or timed out: stop, do not report to the model.
      if (signal.aborted) throw error;
      return `Error: ${errorText(error)}`;
    }
  }
}
