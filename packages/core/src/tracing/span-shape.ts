import { type Attributes, SpanKind } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_RUNTRACE_INPUT,
  ATTR_SERVICE_NAME,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  GEN_AI_OPERATION_INVOKE_AGENT,
  GEN_AI_OPERATION_INVOKE_WORKFLOW,
} from "../internal/semconv.js";
import type { CallRecord } from "../recording/types.js";
import { addAttributes, hasKeys, jsonText } from "./attributes.js";

/** A string attribute of a record, when it has a non-empty one. */
function named(record: CallRecord, key: string): string | undefined {
  const value = record.attributes[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The name of a call's span. GenAI kinds follow the semantic conventions: `execute_tool {tool}`,
 * `invoke_agent {agent}`, `invoke_workflow {workflow}` (the `gen_ai.*.name` attribute when the call
 * has one, e.g. an agent run as a flow step under the step's name; else the call's name), and
 * `chat {model}` for `llm` nodes, where the model is the call's `gen_ai.request.model` attribute (the
 * node's name until it is known) and `chat` yields to a `gen_ai.operation.name` the call sets itself
 * (`embeddings`, ...). Plain functions and sessions keep their name.
 */
export function spanName(record: CallRecord): string {
  switch (record.kind) {
    case "tool":
      return `${GEN_AI_OPERATION_EXECUTE_TOOL} ${named(record, ATTR_GEN_AI_TOOL_NAME) ?? record.node}`;
    case "agent":
      return `${GEN_AI_OPERATION_INVOKE_AGENT} ${named(record, ATTR_GEN_AI_AGENT_NAME) ?? record.node}`;
    case "flow":
      return `${GEN_AI_OPERATION_INVOKE_WORKFLOW} ${named(record, ATTR_GEN_AI_WORKFLOW_NAME) ?? record.node}`;
    case "llm":
      return `${named(record, ATTR_GEN_AI_OPERATION_NAME) ?? GEN_AI_OPERATION_CHAT} ${
        named(record, ATTR_GEN_AI_REQUEST_MODEL) ?? record.node
      }`;
    default:
      return record.node;
  }
}

/** Model calls leave the process (CLIENT); everything else is work inside it (INTERNAL). */
export function spanKindName(record: CallRecord): "client" | "internal" {
  return record.kind === "llm" ? "client" : "internal";
}

/** {@link spanKindName} as OpenTelemetry's `SpanKind`. */
export function spanKind(record: CallRecord): SpanKind {
  return spanKindName(record) === "client" ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/** Whether a change of these attributes renames a call's span (see {@link spanName}). */
export function renames(record: CallRecord, changed: Record<string, unknown>): boolean {
  switch (record.kind) {
    case "llm":
      return ATTR_GEN_AI_REQUEST_MODEL in changed || ATTR_GEN_AI_OPERATION_NAME in changed;
    case "tool":
      return ATTR_GEN_AI_TOOL_NAME in changed;
    case "agent":
      return ATTR_GEN_AI_AGENT_NAME in changed;
    case "flow":
      return ATTR_GEN_AI_WORKFLOW_NAME in changed;
    default:
      return false;
  }
}

/** Record attributes that name where spans go rather than what they are: never span attributes. */
const NOT_ON_SPANS = ATTR_SERVICE_NAME;
/** Record attributes runtrace writes outside its namespace (kept so in files), moved into it on spans. */
const FLOW_PREFIX = "flow.";

/**
 * Adds a record's attributes to a span's: the flow scheduler's `flow.*` as `runtrace.flow.*`, and
 * without `service.name` (that names the exporting service, a resource attribute).
 */
export function addRecordAttributes(out: Attributes, values: Record<string, unknown>): Attributes {
  let plain = true;
  for (const key in values) {
    if (key === NOT_ON_SPANS || key.startsWith(FLOW_PREFIX)) {
      plain = false;
      break;
    }
  }
  if (plain) return addAttributes(out, values);
  const moved: Record<string, unknown> = {};
  for (const key in values) {
    if (key === NOT_ON_SPANS) continue;
    moved[key.startsWith(FLOW_PREFIX) ? `runtrace.${key}` : key] = values[key];
  }
  return addAttributes(out, moved);
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
  if (hasKeys(record.attributes)) addRecordAttributes(out, record.attributes);
  if (recordInput && record.input !== undefined) out[ATTR_RUNTRACE_INPUT] = jsonText(record.input);
  return out;
}
