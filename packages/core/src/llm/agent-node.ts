import type { output as Infer, ZodType } from "zod";
import { AgentLoopError, describeValue, InvalidOptionsError, ValidationError } from "../errors.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_RUNTRACE_AGENT_TURNS,
} from "../internal/semconv.js";
import type { Node, ToolSchema } from "../nodes/node.js";
import { defineNode } from "../nodes/options.js";
import type { RetryOption } from "../nodes/retry-policy.js";
import { jsonSchemaOf } from "../nodes/schema.js";
import { checkOptionKeys } from "../option-keys.js";
import { callWith } from "../runtime/call.js";
import { currentFrame } from "../runtime/frame.js";
import { functionNode } from "../runtime/function-node.js";
import { makeNode } from "../runtime/make-node.js";
import { checkName, textInput } from "./llm-node.js";
import { checkModel, requestModel } from "./model-call.js";
import { claimSink, type TokenSink } from "./token-sink.js";
import { Toolbox } from "./toolbox.js";
import type { Message, Model, ModelResponse } from "./types.js";

/** Options of `rt.agentNode`. */
export interface AgentNodeOptions<S extends ZodType | undefined = undefined> {
  /** The node's name (`gen_ai.agent.name`). */
  name: string;
  model: Model;
  /** The system message. */
  system?: string;
  /** Nodes the model may call; their `description` and `params` are what the model sees. */
  tools: readonly Node<any, any>[];
  /** Model turns before giving up with `AgentLoopError`. @default 10 */
  maxTurns?: number;
  /**
   * A zod schema the final answer must match, as JSON. The model is told the schema; an answer that
   * does not match is sent back once for repair, then fails with `ValidationError`.
   */
  output?: S;
  /** What the agent does; shown to models when it is another agent's tool. */
  description?: string;
  /** The whole loop fails with `NodeTimeoutError` after this long. */
  timeoutMs?: number;
  retry?: RetryOption;
  attributes?: Record<string, unknown>;
}

const OPTIONS = Object.keys({
  name: true,
  model: true,
  system: true,
  tools: true,
  maxTurns: true,
  output: true,
  description: true,
  timeoutMs: true,
  retry: true,
  attributes: true,
} satisfies Record<keyof AgentNodeOptions, true>);

/** One model turn as the `chat` call receives it; its record shows the messages and tool names. */
class ChatTurn {
  readonly model: Model;
  readonly messages: Message[];
  readonly tools: ToolSchema[];
  readonly sink: TokenSink | undefined;
  constructor(model: Model, messages: Message[], tools: ToolSchema[], sink: TokenSink | undefined) {
    this.model = model;
    this.messages = messages;
    this.tools = tools;
    this.sink = sink;
  }
  toJSON() {
    return { messages: this.messages, tools: this.tools.map((tool) => tool.name) };
  }
}

// Each model turn of an agent is a call of this node, named `chat <model>`, kind `llm`.
const chat = makeNode<[ChatTurn], ModelResponse>(
  defineNode(
    (turn: ChatTurn) =>
      requestModel(
        currentFrame()!,
        turn.model,
        turn.tools.length > 0 ? { messages: turn.messages, tools: turn.tools } : { messages: turn.messages },
        turn.sink,
      ),
    "chat",
    { kind: "llm" },
  ),
  undefined,
);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  let body = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(body);
  if (fenced) body = fenced[1]!;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

function issuesText(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "") + issue.message)
    .join("; ");
}

function schemaText(schema: ZodType): string {
  try {
    return JSON.stringify(jsonSchemaOf(schema, "output"));
  } catch {
    return "(see the instructions)";
  }
}

type Checked = { ok: true; value: unknown } | { ok: false; detail: string; issues: readonly unknown[] };

function check(schema: ZodType, text: string): Checked {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, detail: parsed.error, issues: [] };
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, detail: issuesText(result.error.issues), issues: result.error.issues };
}

/**
 * A node of kind `agent`: a tool loop. Each model turn is a child call `chat <model>` (kind `llm`);
 * the tool calls of one turn run at the same time, each a child call of kind `tool` named after the
 * tool (an `execute_tool <tool>` span), so the tree reads agent → chat → tool ×n → chat. A tool that throws gives the
 * model the error text and the loop goes on. More than `maxTurns` turns fails with
 * `AgentLoopError`. Token usage (and cost) is summed on the agent's record and the session's.
 *
 * @example
 * ```ts
 * const planner = rt.agentNode({ name: "planner", model, system: "Plan trips.", tools: [weather, hotels] });
 * const plan = await planner("Two days in Rome next week");
 * ```
 */
export function agentNode(options: AgentNodeOptions<undefined>): Node<[input: string], string>;
export function agentNode<S extends ZodType>(options: AgentNodeOptions<S>): Node<[input: string], Infer<S>>;
export function agentNode(options: AgentNodeOptions<ZodType | undefined>): Node<[input: string], unknown> {
  const where = "rt.agentNode";
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where} expected options { name, model, tools, system?, maxTurns?, output? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, OPTIONS);
  const name = checkName(where, options.name);
  const here = `${where} "${name}"`;
  const model = checkModel(here, options.model);
  const toolbox = new Toolbox(here, options.tools);
  const maxTurns = options.maxTurns ?? 10;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) {
    throw new InvalidOptionsError(
      `${here}: expected \`maxTurns\` to be a positive integer, got ${describeValue(maxTurns)}.`,
    );
  }
  const output = options.output;
  if (output !== undefined && typeof (output as { safeParse?: unknown }).safeParse !== "function") {
    throw new InvalidOptionsError(
      `${here}: expected \`output\` to be a zod schema, got ${describeValue(output)}.`,
    );
  }
  let system = options.system ?? "";
  if (output !== undefined) {
    system += `${system ? "\n\n" : ""}When you give your final answer, reply with only JSON (no prose, no code fence) matching this JSON Schema: ${schemaText(output)}`;
  }
  const turnName = `chat ${model.name}`;

  const run = async (input: string): Promise<unknown> => {
    const frame = currentFrame()!;
    const sink = claimSink(frame);
    frame.session.attributes(frame.record, {
      [ATTR_GEN_AI_OPERATION_NAME]: "invoke_agent",
      [ATTR_GEN_AI_AGENT_NAME]: name,
      [ATTR_GEN_AI_REQUEST_MODEL]: model.name,
      [ATTR_GEN_AI_PROVIDER_NAME]: model.provider,
    });
    const messages: Message[] = [];
    if (system !== "") messages.push({ role: "system", content: system });
    messages.push({ role: "user", content: input });
    let turns = 0;
    const ask = async (tools: ToolSchema[]) => {
      turns++;
      const response = await callWith(
        { name: turnName },
        chat,
        new ChatTurn(model, [...messages], tools, sink),
      );
      frame.session.attributes(frame.record, { [ATTR_RUNTRACE_AGENT_TURNS]: turns });
      return response;
    };
    let answer: ModelResponse | undefined;
    for (let turn = 1; turn <= maxTurns; turn++) {
      const response = await ask(toolbox.schemas);
      if (response.toolCalls.length === 0) {
        answer = response;
        break;
      }
      if (turn === maxTurns) {
        throw new AgentLoopError(
          name,
          maxTurns,
          response.toolCalls.map((call) => call.name),
        );
      }
      messages.push({ role: "assistant", content: response.text, toolCalls: response.toolCalls });
      // Every tool call of this turn at once; results go back in the order the model asked.
      const results = await Promise.all(response.toolCalls.map((call) => toolbox.run(call, frame.signal)));
      response.toolCalls.forEach((call, i) => {
        messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: results[i]! });
      });
    }
    if (output === undefined) return answer!.text;
    let checked = check(output, answer!.text);
    if (checked.ok) return checked.value;
    frame.session.event(frame.record, "output_invalid", { detail: checked.detail });
    messages.push({ role: "assistant", content: answer!.text });
    messages.push({
      role: "user",
      content: `Your answer does not match the required format: ${checked.detail}. Reply again with only the corrected JSON matching the schema.`,
    });
    const repaired = await ask([]);
    checked = check(output, repaired.text);
    if (checked.ok) return checked.value;
    throw new ValidationError(name, "return value", `${checked.detail} (after one repair)`, checked.issues);
  };

  return functionNode(run, {
    name,
    kind: "agent",
    description: options.description ?? (options.system ? `Agent: ${options.system}` : `Agent ${name}`),
    params: [["input", textInput]],
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
  }) as Node<[input: string], unknown>;
}
