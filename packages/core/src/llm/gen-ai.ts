/**
 * Attribute names of the OpenTelemetry GenAI semantic conventions (status: development), copied
 * here so nothing imports `@opentelemetry/semantic-conventions/incubating` at run time.
 */
export const GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
export const GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const GEN_AI_AGENT_NAME = "gen_ai.agent.name";

/** runtrace's own attributes of model calls. */
export const COST_USD = "runtrace.cost_usd";
export const MODEL_CALLS = "runtrace.model_calls";
export const LATENCY_MS = "runtrace.model.latency_ms";
export const TIME_TO_FIRST_TOKEN_MS = "runtrace.model.time_to_first_token_ms";
export const ATTEMPTS = "runtrace.model.attempts";
export const AGENT_TURNS = "runtrace.agent.turns";
