import type { ModelReplyFacts } from "../../llm/model-call.js";
import type { RecordedReply } from "../reply.js";
import type { Endpoint, RequestBody, StreamFollower } from "./endpoint.js";
import { usageOf } from "./endpoint.js";

interface WireEmbeddings {
  model?: string;
  data?: Array<{ embedding?: unknown }>;
  usage?: unknown;
}

function dimensionsOf(embedding: unknown): number | undefined {
  if (Array.isArray(embedding)) return embedding.length;
  // `encoding_format: "base64"` asked for: the vector as the server sent it, 4 bytes per float32.
  if (typeof embedding === "string") return Math.floor(Buffer.byteLength(embedding, "base64") / 4);
  return undefined;
}

/**
 * `client.embeddings.create`: the input texts as input; the output is how many vectors came back
 * and their size (the vectors themselves are no use in a trace and would be cut anyway).
 */
export const embeddings: Endpoint = {
  operation: "embeddings",

  request(body: RequestBody) {
    return { input: { input: body.input }, attributes: {} };
  },

  reply(data: unknown): RecordedReply {
    const reply = (data ?? {}) as WireEmbeddings;
    const usage = usageOf(reply.usage);
    const facts: ModelReplyFacts = {
      model: typeof reply.model === "string" ? reply.model : undefined,
      usage,
    };
    const vectors = Array.isArray(reply.data) ? reply.data : [];
    const output: Record<string, unknown> = { embeddings: vectors.length };
    const dimensions = dimensionsOf(vectors[0]?.embedding);
    if (dimensions !== undefined) output.dimensions = dimensions;
    return { output, facts };
  },

  follow(): StreamFollower {
    // Embeddings are never streamed; should a server stream anyway, the record shows the last piece.
    let last: unknown;
    return {
      piece: (chunk) => {
        last = chunk;
      },
      reply: () => embeddings.reply(last),
    };
  },
};
