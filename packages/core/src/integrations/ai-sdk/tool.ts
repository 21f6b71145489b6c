import { type FlexibleSchema, jsonSchema, type Tool, tool } from "ai";
import { describeValue, InvalidOptionsError } from "../../errors.js";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from "../../internal/semconv.js";
import { callAsTool, toolArguments } from "../../llm/toolbox.js";
import { nodeHandle } from "../../nodes/def.js";
import type { Node } from "../../nodes/node.js";
import { checkOptionKeys } from "../../option-keys.js";

/** Options of `aiTool`: each one given wins over what the node says. */
export interface AiToolOptions {
  /** What the model is told the tool does. @default the node's `description` */
  description?: string;
  /** The tool's input schema. @default the JSON Schema of the node's `params` */
  inputSchema?: FlexibleSchema<unknown>;
  /** A human-readable title for the tool. */
  title?: string;
  /** Asks the provider for strict schema adherence, where it has it. */
  strict?: boolean;
}

const OPTIONS = Object.keys({
  description: true,
  inputSchema: true,
  title: true,
  strict: true,
} satisfies Record<keyof AiToolOptions, true>);

/**
 * A runtrace node as an AI SDK tool (`tool()` of `ai`): its description and input schema come
 * from the node's `description` and `params`, unless `options` give them. When the AI SDK runs it,
 * the node is called as runtrace's agents call their tools: a call of kind `tool` (an
 * `execute_tool {name}` span) under the call that ran `generateText` or `streamText`, beside the
 * model calls, with the tool call's id. The node validates its arguments; a failure goes back to
 * the model as the tool's error.
 *
 * @example
 * ```ts
 * const weather = rt.functionNode(async (city: string) => `${city}: sunny`, {
 *   name: "weather", kind: "tool", description: "The forecast for a city", params: [["city", z.string()]],
 * });
 * await generateText({ model, prompt: "Weather in Oslo?", tools: { weather: aiTool(weather) } });
 * ```
 */
export function aiTool<R>(node: Node<any[], R>, options: AiToolOptions = {}): Tool<any, Awaited<R>> {
  if (nodeHandle(node) === undefined) {
    throw new InvalidOptionsError(
      `aiTool expected a node (rt.functionNode(fn, { name, description, params })), got ${describeValue(node)}.`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `aiTool expected options { description?, inputSchema?, title?, strict? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys("aiTool", options, OPTIONS);
  const schema = node.toolSchema();
  // Built for any output and typed after: the conditional types of `Tool` cannot see through `R`.
  const built = tool<any, any>({
    description: options.description ?? schema.description,
    // The AI SDK types its argument as JSON Schema 7 (from @types/json-schema when installed); a
    // tool schema is JSON Schema of the same shape with looser property types.
    inputSchema: options.inputSchema ?? jsonSchema(schema.parameters as Parameters<typeof jsonSchema>[0]),
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    execute: (input: unknown, { toolCallId, abortSignal }) =>
      callAsTool(node, toolArguments(node, input), {
        name: node.name,
        ...(abortSignal === undefined ? {} : { signal: abortSignal }),
        attributes: {
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
          [ATTR_GEN_AI_TOOL_NAME]: schema.name,
          [ATTR_GEN_AI_TOOL_CALL_ID]: toolCallId,
        },
      }),
  });
  return built as Tool<any, Awaited<R>>;
}

/** Nodes as the `tools` of an AI SDK call, each under its tool name (`node.toolSchema().name`). */
export function aiTools(nodes: readonly Node<any[], unknown>[]): Record<string, Tool> {
  if (!Array.isArray(nodes)) {
    throw new InvalidOptionsError(`aiTools expected an array of nodes, got ${describeValue(nodes)}.`);
  }
  const tools: Record<string, Tool> = {};
  for (const node of nodes) {
    const tool = aiTool(node);
    const name = node.toolSchema().name;
    if (name in tools) {
      throw new InvalidOptionsError(
        `aiTools: two tools are named "${name}". Give one of them another \`name\`.`,
      );
    }
    tools[name] = tool;
  }
  return tools;
}
