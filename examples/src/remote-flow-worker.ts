/**
 * A summarising worker of remote-flow.ts, as it would be deployed on another machine: a process
 * that takes `summarizeChunk` jobs from the queue on Redis with `startWorker`. remote-flow.ts
 * starts two of them as child processes; start more, anywhere that reaches the same Redis, and
 * BullMQ shares the jobs among them.
 *
 * Run: REDIS_URL=redis://host:6379 node examples/dist/remote-flow-worker.js
 *      (offline with a scripted model; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import { isRemoteError, startWorker } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { chooseModel, isMain, lastUserMessage } from "./models.js";
import type { Chunk } from "./remote-flow-parse.js";

/** The queue both sides name. */
export const QUEUE = "runtrace-index";

/** A summary of one chunk, as the worker sends it back. */
export interface ChunkSummary {
  id: string;
  document: string;
  summary: string;
  terms: string[];
}

/** Offline stand-in: the sentence of the chunk with the most of its key terms. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        const [termsLine = "", text = ""] = lastUserMessage(request).split("\n\n");
        const terms = termsLine.replace(/^Key terms: /, "").split(", ");
        const sentences = text.match(/[^.!?]+[.!?]+/g)?.map((s) => s.trim()) ?? [text];
        const hits = (sentence: string) =>
          terms.filter((term) => sentence.toLowerCase().includes(term)).length;
        const best = sentences.reduce((a, b) => (hits(b) > hits(a) ? b : a));
        return { text: best, delayMs: 60 + (text.length % 5) * 10 };
      },
    ],
    { name: "scripted-summarizer", loop: true },
  );
}

/** The node the workers run for each job; `rt.call`s the model in there. */
export function makeSummarizeChunk(model: rt.Model) {
  const summarize = rt.llmNode({
    name: "summarize",
    model,
    system: "You summarise a passage in one sentence, keeping its key terms.",
  });
  return rt.functionNode(
    async (chunk: Chunk): Promise<ChunkSummary> => {
      const summary = await rt.call(summarize, `Key terms: ${chunk.terms.join(", ")}\n\n${chunk.text}`);
      return { id: chunk.id, document: chunk.document, summary, terms: chunk.terms };
    },
    { name: "summarizeChunk", description: "Summarises one chunk of a document" },
  );
}

if (isMain(import.meta.url)) {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  try {
    const worker = await startWorker({
      queue: QUEUE,
      connection: { url },
      nodes: [makeSummarizeChunk(chooseModel(offlineModel))],
      concurrency: Number(process.env.CONCURRENCY ?? 2),
    });
    // The line remote-flow.ts waits for before it sends work.
    console.log(`ready ${process.pid}`);
    // SIGTERM: finish the jobs under way, then leave.
    process.once("SIGTERM", async () => {
      await worker.close();
      process.exit(0);
    });
  } catch (error) {
    console.error(isRemoteError(error) ? error.message : error);
    process.exit(1);
  }
}
