/// <reference types="node" preserve="true" />
/**
 * @runtrace/core: functions become nodes, `rt.call` runs them in async-context frames, and every
 * run becomes an exact call tree, stored as JSON lines.
 *
 * @example
 * ```ts
 * import * as rt from "@runtrace/core";
 * const shout = rt.functionNode((word: string) => word.toUpperCase());
 * await rt.session("demo", () => Promise.all(["a", "b"].map((w) => rt.call(shout, w))));
 * ```
 */

export type { ConfigureOptions } from "./config.js";
export { configure } from "./config.js";
export type { RuntraceErrorCode } from "./errors.js";
export {
  CallDepthError,
  CancelledError,
  InvalidOptionsError,
  isCancelledError,
  isRuntraceError,
  isTimeoutError,
  NodeTimeoutError,
  NotANodeError,
  ReadError,
  RetryExhaustedError,
  RuntraceError,
  SessionError,
  ValidationError,
} from "./errors.js";
export { flush } from "./flush.js";
export type { FieldOptions } from "./nodes/fields.js";
export { field } from "./nodes/fields.js";
export type { Node, ToolSchema } from "./nodes/node.js";
export type { NodeMetadata } from "./nodes/node-metadata.js";
export { NODE_METADATA, toolsOf } from "./nodes/node-metadata.js";
export type { Registry } from "./nodes/node-registry.js";
export { registry } from "./nodes/node-registry.js";
export type { NodeOptions, RecordOptions } from "./nodes/options.js";
export type { Backoff, RetryOption } from "./nodes/retry-policy.js";
export type { JsonSchemaObject, ParamsOption } from "./nodes/schema.js";
export { checkOptionKeys } from "./option-keys.js";
export { formatDuration } from "./recording/duration.js";
export type { FormatTreeOptions } from "./recording/format-tree.js";
export { formatTree } from "./recording/format-tree.js";
export type { Logger } from "./recording/logger.js";
export { printable } from "./recording/printable.js";
export type { CallRecordJSON } from "./recording/record.js";
export { recordFields } from "./recording/record.js";
export type { RedactConfig, RedactOptions } from "./recording/redact.js";
export type { PayloadLimits } from "./recording/sanitize.js";
export { DEFAULT_LIMITS } from "./recording/sanitize.js";
export type { SessionSink, SessionWriter } from "./recording/sink.js";
export { failed, isStatus, STATUSES } from "./recording/status.js";
export type { RecordPredicate } from "./recording/tree.js";
export { CallTree } from "./recording/tree.js";
export type {
  CallEvent,
  CallRecord,
  CallStatus,
  NodeKind,
  RecordedError,
  RecordKind,
  SessionStatus,
} from "./recording/types.js";
export type { CallOptions } from "./runtime/call.js";
export { call, callWith } from "./runtime/call.js";
export { bind, context, current, event, setAttributes, signal } from "./runtime/context.js";
export type { CallInfo } from "./runtime/frame.js";
export type { NodeMethodDecorator } from "./runtime/function-node.js";
export { functionNode } from "./runtime/function-node.js";
export type {
  AllOptions,
  AsCompletedOptions,
  Completed,
  Settled,
  SettledResults,
  Task,
  TaskResult,
  TaskResults,
} from "./runtime/parallel.js";
export { all, asCompleted, map } from "./runtime/parallel.js";
export type { SessionOptions, SessionRunStatus } from "./runtime/session.js";
export { Session, session } from "./runtime/session.js";
export type { JsonlStore, JsonlStoreOptions } from "./stores/jsonl.js";
export { jsonlStore } from "./stores/jsonl-options.js";
export type { MemoryStore } from "./stores/memory.js";
export { memoryStore } from "./stores/memory.js";
export type { ReadSessionOptions } from "./stores/read-session.js";
export { readSession } from "./stores/read-session.js";
export type { SessionSummary, Store } from "./stores/store.js";

// session files: the stored format, for tools that read sessions (the viewer, the CLI)

export type { DefaultSessionDir } from "./session-file/ids.js";
export {
  defaultSessionDir,
  isSessionId,
  isSessionPath,
  notASessionId,
  SESSION_FILE_EXTENSION,
  sessionFileOf,
  traceSessionId,
} from "./session-file/ids.js";
export type { SessionFileEntry } from "./session-file/list.js";
export { listSessionFiles, sessionFiles } from "./session-file/list.js";
export type { SessionPlace } from "./session-file/place.js";
export { findSession, readSessionAt, segmentKey } from "./session-file/place.js";
export { SessionReader, writerAlive } from "./session-file/reader.js";
export type { SummaryOf } from "./session-file/summary.js";
export { placeholderSession, summarizeSession, unreadableSummary } from "./session-file/summary.js";

// flows (keep this marker: exports of flows/ go right below it)

export { FlowDefinitionError } from "./errors.js";
export { flow } from "./flows/flow.js";
export type { FlowFromJSONOptions } from "./flows/from-json.js";
export { flowFromJSON } from "./flows/from-json.js";
export type { FlowPaths, FlowTask } from "./flows/from-paths.js";
export type { FlowMetrics } from "./flows/metrics.js";
export { FlowStepsFailedError, isFlowStepsFailedError } from "./flows/steps-failed-error.js";
export type {
  AnyNode,
  Flow,
  FlowInput,
  FlowJSON,
  FlowOptions,
  FlowParameters,
  FlowResult,
  FlowStep,
  FlowStepInfo,
  FlowStepJSON,
  FlowStepSpec,
  FlowSteps,
  InputSteps,
  MermaidOptions,
  OnError,
  ResolvedFlowOptions,
  StepArgs,
  StepArgsContext,
  StepOutput,
  StepsShape,
} from "./flows/types.js";

// tracing (keep this marker: exports of tracing/ go right below it)
export { inject } from "./tracing/bridge.js";
export type { TracingSettings } from "./tracing/settings.js";
export { configureTracing } from "./tracing/settings.js";
export type { SpanData, SpanEventData, SpanKindName, SpanStatusData } from "./tracing/span-data.js";
export { isTraceRoot, spanService } from "./tracing/span-data.js";
export type {
  SpanDescription,
  SpanEventDescription,
  SpanPayloads,
  SpanStatusDescription,
} from "./tracing/span-description.js";
export { describeSpan } from "./tracing/span-description.js";
export type { SpanRecordOptions } from "./tracing/span-record.js";
export { spanRecord, traceRootRecord } from "./tracing/span-record.js";
export type { SpanCall } from "./tracing/span-shape.js";
export { callOfSpan } from "./tracing/span-shape.js";

// workers: nodes whose calls run in worker threads

export type { WorkerNodeOptions } from "./workers/worker-node.js";
export { workerNode } from "./workers/worker-node.js";

// llm (keep this marker: exports of llm/ go right below it)

export { AgentLoopError, ModelError } from "./errors.js";
export type { AgentNodeOptions } from "./llm/agent-node.js";
export { agentNode } from "./llm/agent-node.js";
export type { LlmNodeOptions } from "./llm/llm-node.js";
export { llmNode } from "./llm/llm-node.js";
export type { OpenAICompatibleOptions } from "./llm/openai-compatible.js";
export { openaiCompatible } from "./llm/openai-compatible.js";
export type {
  ScriptedModel,
  ScriptedModelOptions,
  ScriptedReply,
  ScriptedReplyObject,
  ScriptedToolCall,
} from "./llm/scripted-model.js";
export { scriptedModel } from "./llm/scripted-model.js";
export type { StreamOptions, TokenStream } from "./llm/stream.js";
export { stream } from "./llm/stream.js";
export type {
  Message,
  Model,
  ModelCallOptions,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  Price,
  RetryInfo,
  ToolCall,
  Usage,
} from "./llm/types.js";
