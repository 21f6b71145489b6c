/**
 * Attribute names runtrace puts on records and spans, in one place. The GenAI ones are copied from the OpenTelemetry semantic
 * conventions (GenAI, status "development"): `@opentelemetry/semantic-conventions/incubating` is not
 * meant to be imported at run time, and a library should not pull it in for a handful of strings.
 */

// runtrace's own attributes.
export const ATTR_RUNTRACE_NODE = "runtrace.node";
export const ATTR_RUNTRACE_KIND = "runtrace.kind";
export const ATTR_RUNTRACE_SESSION_ID = "runtrace.session.id";
export const ATTR_RUNTRACE_CALL_ID = "runtrace.call.id";
export const ATTR_RUNTRACE_ATTEMPTS = "runtrace.attempts";
/** The recorded status (`ok`, `error`, `timeout`, `cancelled`, `skipped`): finer than the span status. */
export const ATTR_RUNTRACE_STATUS = "runtrace.status";
export const ATTR_RUNTRACE_WAIT_MS = "runtrace.wait_ms";
export const ATTR_RUNTRACE_CANCEL_REASON = "runtrace.cancel.reason";
/** Only in exports of stored sessions: the call had not ended when the session was read. */
export const ATTR_RUNTRACE_RUNNING = "runtrace.running";
export const ATTR_RUNTRACE_INPUT = "runtrace.input";
export const ATTR_RUNTRACE_OUTPUT = "runtrace.output";
/** An event's data when it is not an object (objects are flattened into the event's attributes). */
export const ATTR_RUNTRACE_EVENT_DATA = "runtrace.data";
export const ATTR_RUNTRACE_RETRY_ATTEMPT = "runtrace.retry.attempt";
export const ATTR_RUNTRACE_RETRY_DELAY_MS = "runtrace.retry.delay_ms";
// runtrace's own attributes of model calls and agents.
export const ATTR_RUNTRACE_COST_USD = "runtrace.cost_usd";
export const ATTR_RUNTRACE_MODEL_CALLS = "runtrace.model_calls";
export const ATTR_RUNTRACE_MODEL_LATENCY_MS = "runtrace.model.latency_ms";
export const ATTR_RUNTRACE_MODEL_TIME_TO_FIRST_TOKEN_MS = "runtrace.model.time_to_first_token_ms";
export const ATTR_RUNTRACE_MODEL_ATTEMPTS = "runtrace.model.attempts";
export const ATTR_RUNTRACE_AGENT_TURNS = "runtrace.agent.turns";
/** Something the recording of a record could not do as it should (a span placed without its parent). */
export const ATTR_RUNTRACE_WARNING = "runtrace.warning";

// GenAI semantic conventions.
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_TYPE = "gen_ai.tool.type";
export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name";
export const ATTR_GEN_AI_WORKFLOW_NAME = "gen_ai.workflow.name";
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
export const ATTR_GEN_AI_RESPONSE_ID = "gen_ai.response.id";
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";

export const GEN_AI_OPERATION_CHAT = "chat";
export const GEN_AI_OPERATION_EMBEDDINGS = "embeddings";
export const GEN_AI_OPERATION_EXECUTE_TOOL = "execute_tool";
export const GEN_AI_OPERATION_INVOKE_AGENT = "invoke_agent";
export const GEN_AI_OPERATION_INVOKE_WORKFLOW = "invoke_workflow";

// General semantic conventions (stable).
/** A resource attribute on spans; on a session's root record, the service it was traced under. */
export const ATTR_SERVICE_NAME = "service.name";
export const ATTR_ERROR_TYPE = "error.type";
/** The HTTP status a model request failed with (an SDK's API error). */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_EXCEPTION_STACKTRACE = "exception.stacktrace";
/**
 * On a `"span"` record: its span kind when not `internal` (the tag Jaeger shows it under). An
 * exported span takes it back as its kind.
 */
export const ATTR_SPAN_KIND = "span.kind";
/** On a `"span"` record: `OK` when its span's status was set to OK (an export sets it back). */
export const ATTR_OTEL_STATUS_CODE = "otel.status_code";
/** The span event name `span.recordException` uses. */
export const EVENT_EXCEPTION = "exception";
