import { type Attributes, SpanKind } from "@opentelemetry/api";
import type { CallRecord } from "../recording/types.js";
import { addAttributes, hasKeys, jsonText } from "./attributes.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_RUNTRACE_INPUT,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  GEN_AI_OPERATION_INVOKE_AGENT,
  GEN_AI_OPERATION_INVOKE_WORKFLOW,
} from "./semconv.js";

/**
 * The name of a call's span. GenAI kinds follow the semantic conventions: `execute_tool {name}`,
 * `invoke_agent {name}`, `invoke_workflow {name}`, and `chat {model}` for `llm` nodes, where the
 * model is the call's `gen_ai.request.model` attribute (the node's name until it is known) and
 * `chat` yields to a `gen_ai.operation.name` the call sets itself (`embeddings`, ...). Plain
 * functions and sessions keep their name.
 */
export function spanName(record: CallRecord): string {
  switch (record.kind) {
    case "tool":
      return `${GEN_AI_OPERATION_EXECUTE_TOOL} ${record.node}`;
    case "agent":
      return `${GEN_AI_OPERATION_INVOKE_AGENT} ${record.node}`;
    case "flow":
      return `${GEN_AI_OPERATION_INVOKE_WORKFLOW} ${record.node}`;
    case "llm": {
      const attributes = record.attributes;
      const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
      const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
      return `${typeof operation === "string" ? operation : GEN_AI_OPERATION_CHAT} ${
        typeof model === "string" && model !== "" ? model : record.node
      }`;
    }
    default:
      return record.node;
  }
}

/** Model calls leave the process (CLIENT); everything else is work inside it (INTERNAL). */
export function spanKind(record: CallRecord): SpanKind {
  return record.kind === "llm" ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/** Whether a change of these attributes renames an `llm` call's span. */
export function renames(record: CallRecord, changed: Record<string, unknown>): boolean {
  return (
    record.kind === "llm" && (ATTR_GEN_AI_REQUEST_MODEL in changed || ATTR_GEN_AI_OPERATION_NAME in changed)
  );
}

/**
 * The attributes a call's span starts with: runtrace's identity of the call (`runtrace.node`,
 * `runtrace.kind`, `runtrace.session.id`, `runtrace.call.id`), the GenAI attributes of its kind,
 * the record's attributes (which may override the GenAI defaults, e.g. with `gen_ai.tool.call.id`),
 * and its input as JSON when payloads are recorded.
 */
export function startAttributes(record: CallRecord, recordInput: boolean): Attributes {
  // Literal keys (the values of the ATTR_ constants) make this a fast object literal; the test of
  // span-shape checks they match the constants.
  // `runtrace.attempts` is left to the end of the span, and only for calls that did not run exactly
  // once: every attribute costs the SDK and the exporter, on every span.
  const out: Attributes = {
    "runtrace.node": record.node,
    "runtrace.kind": record.kind,
    "runtrace.session.id": record.sessionId,
    "runtrace.call.id": record.id,
  };
  switch (record.kind) {
    case "tool":
      out[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL;
      out[ATTR_GEN_AI_TOOL_NAME] = record.node;
      out[ATTR_GEN_AI_TOOL_TYPE] = "function";
      break;
    case "agent":
      out[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_INVOKE_AGENT;
      out[ATTR_GEN_AI_AGENT_NAME] = record.node;
      break;
    case "flow":
      out[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_INVOKE_WORKFLOW;
      out[ATTR_GEN_AI_WORKFLOW_NAME] = record.node;
      break;
    case "llm":
      out[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_CHAT;
      break;
  }
  if (hasKeys(record.attributes)) addAttributes(out, record.attributes);
  if (recordInput && record.input !== undefined) out[ATTR_RUNTRACE_INPUT] = jsonText(record.input);
  return out;
}
