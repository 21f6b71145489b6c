import type { Attributes } from "@opentelemetry/api";
import { isObject, setKey } from "../internal/safe.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_RUNTRACE_CALL_ID,
  ATTR_RUNTRACE_INPUT,
  ATTR_RUNTRACE_KIND,
  ATTR_RUNTRACE_NODE,
  ATTR_RUNTRACE_SESSION_ID,
  ATTR_SERVICE_NAME,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  GEN_AI_OPERATION_INVOKE_AGENT,
  GEN_AI_OPERATION_INVOKE_WORKFLOW,
} from "../internal/semconv.js";
import type { CallRecord, RecordKind } from "../recording/types.js";
import { isSessionId } from "../session-file/ids.js";
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
    setKey(moved, key.startsWith(FLOW_PREFIX) ? `runtrace.${key}` : key, values[key]);
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

// The inverse: a span's attributes back to the call they describe.

/** The kinds a runtrace call's span names in `runtrace.kind`. */
const CALL_KINDS: ReadonlySet<string> = new Set<RecordKind>([
  "function",
  "tool",
  "llm",
  "agent",
  "flow",
  "session",
]);
/**
 * What a call id may be to be taken from a span: the file writes ids as they are, so only plain
 * tokens (runtrace's own are decimal numbers).
 */
const CALL_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Which call of which session a span describes (the identity {@link startAttributes} writes). */
export interface SpanCall {
  sessionId: string;
  callId: string;
  kind: Exclude<RecordKind, "span">;
  node: string;
}

/**
 * The call a span was made for, when it carries runtrace's identity of a call (`runtrace.node`,
 * `runtrace.kind`, `runtrace.session.id`, `runtrace.call.id`) and every part of it is one runtrace
 * could have written; `undefined` for any other span.
 */
export function callOfSpan(attributes: Record<string, unknown>): SpanCall | undefined {
  const node = attributes[ATTR_RUNTRACE_NODE];
  const kind = attributes[ATTR_RUNTRACE_KIND];
  const sessionId = attributes[ATTR_RUNTRACE_SESSION_ID];
  const callId = attributes[ATTR_RUNTRACE_CALL_ID];
  if (typeof node !== "string" || typeof kind !== "string" || !CALL_KINDS.has(kind)) return undefined;
  if (typeof sessionId !== "string" || !isSessionId(sessionId)) return undefined;
  if (typeof callId !== "string" || !CALL_ID.test(callId)) return undefined;
  return { sessionId, callId, kind: kind as SpanCall["kind"], node };
}

/** Attributes a kind's span starts with (see {@link startAttributes}), and the value each gets. */
function kindDefaults(kind: RecordKind, node: string): Record<string, string> | undefined {
  switch (kind) {
    case "tool":
      return {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
        [ATTR_GEN_AI_TOOL_NAME]: node,
        [ATTR_GEN_AI_TOOL_TYPE]: "function",
      };
    case "agent":
      return { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: node };
    case "flow":
      return {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_WORKFLOW,
        [ATTR_GEN_AI_WORKFLOW_NAME]: node,
      };
    case "llm":
      return { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT };
    default:
      return undefined;
  }
}

const IDENTITY: ReadonlySet<string> = new Set([
  ATTR_RUNTRACE_NODE,
  ATTR_RUNTRACE_KIND,
  ATTR_RUNTRACE_SESSION_ID,
  ATTR_RUNTRACE_CALL_ID,
  ATTR_RUNTRACE_INPUT,
]);
const MOVED_FLOW_PREFIX = `runtrace.${FLOW_PREFIX}`;

/**
 * A `flow.*` attribute back from its span's `runtrace.flow.*` keys. Only runtrace's flow scheduler
 * writes them (`flow.graph`, `flow.criticalPath`, ...), one key deep under `flow.`, so their dotted
 * keys are nesting and their JSON text was an object or array: both come back as they were.
 */
function addFlowAttribute(out: Record<string, unknown>, key: string, value: unknown): void {
  const path = key.slice(MOVED_FLOW_PREFIX.length).split(".");
  const top = `${FLOW_PREFIX}${path[0]}`;
  const parsed = typeof value === "string" && /^[[{]/.test(value) ? parsedJson(value) : value;
  if (path.length === 1) {
    out[top] = parsed;
    return;
  }
  const existing = out[top];
  let at: Record<string, unknown> = isObject(existing) ? existing : {};
  if (at !== existing) out[top] = at;
  // Own keys only, each set as data: a span from elsewhere may name `__proto__` or `constructor`.
  for (let i = 1; i < path.length - 1; i++) {
    const segment = path[i]!;
    const inner = Object.hasOwn(at, segment) ? at[segment] : undefined;
    if (isObject(inner)) at = inner;
    else {
      const made: Record<string, unknown> = {};
      setKey(at, segment, made);
      at = made;
    }
  }
  setKey(at, path.at(-1)!, parsed);
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The record attributes a call's span carries, the inverse of {@link startAttributes} (with
 * {@link addRecordAttributes}): without runtrace's identity of the call, its input, the keys in
 * `drop` (what the span's end added) and the GenAI attributes its kind adds that still hold the
 * value the kind gives them; `runtrace.flow.*` back to `flow.*` as the flow scheduler wrote them.
 * Other values stay as the span has them: an object recorded as an attribute comes back as its
 * dotted keys, a mixed array as JSON text.
 */
export function callAttributes(
  call: SpanCall,
  attributes: Record<string, unknown>,
  drop: ReadonlySet<string>,
): Record<string, unknown> {
  const defaults = kindDefaults(call.kind, call.node);
  const out: Record<string, unknown> = {};
  for (const key in attributes) {
    if (IDENTITY.has(key) || drop.has(key)) continue;
    const value = attributes[key];
    if (value === undefined || (defaults !== undefined && defaults[key] === value)) continue;
    if (key.startsWith(MOVED_FLOW_PREFIX)) addFlowAttribute(out, key, value);
    else setKey(out, key, value);
  }
  return out;
}
