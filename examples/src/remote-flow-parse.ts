/**
 * The parse step of remote-flow.ts, loaded by each worker thread of its pool (as the compiled
 * examples/dist/remote-flow-parse.js). CPU-bound: tokenises the documents, scores every term by
 * tf-idf, and cuts the documents into chunks of whole sentences, each with its best terms. The
 * calls it makes here (`tokenize`, `scoreTerms`) join the caller's tree under the parse call.
 */
import * as rt from "@runtrace/core";

export interface Document {
  title: string;
  text: string;
}

/** A passage to summarise: a few sentences of one document and its highest-scoring terms. */
export interface Chunk {
  id: string;
  document: string;
  text: string;
  terms: string[];
}

const STOP_WORDS = new Set(
  "a an and are as at be by can for from has have in into is it its of on or so that the their them then they this to was when which while with".split(
    " ",
  ),
);
const WORDS_PER_CHUNK = 40;

export const tokenize = rt.functionNode(
  (text: string) => (text.toLowerCase().match(/[a-z][a-z-]+/g) ?? []).filter((word) => !STOP_WORDS.has(word)),
  { name: "tokenize", description: "Lower-cased words of a text, without stop words" },
);

/** tf-idf of each document's terms: frequent here, rare in the other documents. */
export const scoreTerms = rt.functionNode(
  (tokens: string[][]) => {
    const documentsWith = new Map<string, number>();
    for (const words of tokens) {
      for (const word of new Set(words)) documentsWith.set(word, (documentsWith.get(word) ?? 0) + 1);
    }
    return tokens.map((words) => {
      const counts = new Map<string, number>();
      for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
      const scores: Record<string, number> = {};
      for (const [word, count] of counts) {
        const idf = Math.log((1 + tokens.length) / (1 + documentsWith.get(word)!)) + 1;
        scores[word] = (count / words.length) * idf;
      }
      return scores;
    });
  },
  { name: "scoreTerms", description: "tf-idf score of every term, per document" },
);

function sentencesOf(text: string): string[] {
  return text.match(/[^.!?]+[.!?]+/g)?.map((sentence) => sentence.trim()) ?? [text.trim()];
}

/** Whole sentences, about `WORDS_PER_CHUNK` words a chunk. */
function chunksOf(text: string): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let words = 0;
  for (const sentence of sentencesOf(text)) {
    current.push(sentence);
    words += sentence.split(/\s+/).length;
    if (words >= WORDS_PER_CHUNK) {
      chunks.push(current.join(" "));
      current = [];
      words = 0;
    }
  }
  if (current.length > 0) chunks.push(current.join(" "));
  return chunks;
}

export const parseDocuments = rt.functionNode(
  async (documents: Document[]): Promise<Chunk[]> => {
    const tokens = await Promise.all(documents.map((document) => rt.call(tokenize, document.text)));
    const scores = await rt.call(scoreTerms, tokens);
    return documents.flatMap((document, d) =>
      chunksOf(document.text).map((text, c) => {
        const inChunk = new Set(text.toLowerCase().match(/[a-z][a-z-]+/g));
        const terms = Object.entries(scores[d]!)
          .filter(([word]) => inChunk.has(word))
          .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
          .slice(0, 3)
          .map(([word]) => word);
        return { id: `${document.title}#${c + 1}`, document: document.title, text, terms };
      }),
    );
  },
  { name: "parse", description: "Tokenises, scores and chunks documents" },
);
