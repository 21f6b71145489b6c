/**
 * Replies of the OpenAI Responses and Embeddings APIs for the test server (Chat Completions replies
 * are in test/llm/server.ts).
 */

/** A Responses API reply: text, function calls, usage. */
export function responseObject(options: {
  text?: string;
  functionCalls?: Array<{ callId: string; name: string; arguments: unknown }>;
  usage?: { input: number; output: number };
  status?: "completed" | "incomplete";
}): Record<string, unknown> {
  const output: unknown[] = [];
  if (options.text !== undefined) {
    output.push({
      type: "message",
      id: "msg_1",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: options.text, annotations: [] }],
    });
  }
  for (const call of options.functionCalls ?? []) {
    output.push({
      type: "function_call",
      id: `fc_${call.callId}`,
      call_id: call.callId,
      name: call.name,
      arguments: JSON.stringify(call.arguments),
      status: "completed",
    });
  }
  return {
    id: "resp_test",
    object: "response",
    created_at: 1_700_000_000,
    model: "test-model-2025",
    status: options.status ?? "completed",
    ...(options.status === "incomplete" ? { incomplete_details: { reason: "max_output_tokens" } } : {}),
    output,
    ...(options.usage
      ? {
          usage: {
            input_tokens: options.usage.input,
            output_tokens: options.usage.output,
            total_tokens: options.usage.input + options.usage.output,
          },
        }
      : {}),
  };
}

/** The events of a streamed Responses API reply: one delta per piece, then `response.completed`. */
export function responseEvents(pieces: string[], usage: { input: number; output: number }): unknown[] {
  const final = responseObject({ text: pieces.join(""), usage });
  return [
    {
      type: "response.created",
      sequence_number: 0,
      response: { ...final, status: "in_progress", output: [] },
    },
    ...pieces.map((delta, i) => ({
      type: "response.output_text.delta",
      sequence_number: i + 1,
      item_id: "msg_1",
      output_index: 0,
      content_index: 0,
      delta,
    })),
    { type: "response.completed", sequence_number: pieces.length + 1, response: final },
  ];
}

/** An Embeddings reply with `count` vectors of `dimensions` floats, base64-encoded as the client asks. */
export function embeddingsReply(
  count: number,
  dimensions: number,
  inputTokens: number,
): Record<string, unknown> {
  const vector = Buffer.from(
    new Float32Array(Array.from({ length: dimensions }, (_, i) => i / dimensions)).buffer,
  );
  return {
    object: "list",
    model: "test-embedder-2025",
    data: Array.from({ length: count }, (_, index) => ({
      object: "embedding",
      index,
      embedding: vector.toString("base64"),
    })),
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
}
