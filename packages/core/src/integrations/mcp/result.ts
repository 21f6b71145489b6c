import { textOf } from "../../internal/safe.js";
import { META_JSON } from "./meta.js";
import type { CallToolResult } from "./sdk.js";

/**
 * How values cross MCP: a node's return value becomes a tool result on the server, and a tool
 * result becomes the value an MCP tool node returns on the client.
 */

type Content = CallToolResult["content"][number];

const CONTENT_TYPES: ReadonlySet<string> = new Set(["text", "image", "audio", "resource_link", "resource"]);
const RESULT_KEYS: ReadonlySet<string> = new Set(["content", "structuredContent", "isError", "_meta"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value that already is a tool result: `{ content: [...] }` of MCP content blocks, nothing else. */
function isToolResult(value: unknown): value is CallToolResult {
  if (!isPlainObject(value) || !Array.isArray(value.content)) return false;
  for (const key of Object.keys(value)) if (!RESULT_KEYS.has(key)) return false;
  return value.content.every(
    (block: unknown) =>
      isPlainObject(block) && typeof block.type === "string" && CONTENT_TYPES.has(block.type),
  );
}

function text(value: string): Content {
  return { type: "text", text: value };
}

/**
 * A node's return value as a tool result: a string is its text; a plain object is its
 * `structuredContent`, with its JSON as text for clients that read only text; anything else (a
 * number, an array, `null`) is its JSON as text, marked as JSON in `_meta` (`runtrace/json`) so a
 * runtrace client reads the value back; `undefined` is no content. A value that already is a tool result (`{ content }` of
 * MCP content blocks, for images and resources) is sent as it is.
 */
export function toolResult(value: unknown): CallToolResult {
  if (typeof value === "string") return { content: [text(value)] };
  if (value === undefined) return { content: [] };
  if (isToolResult(value)) return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // A cycle or a BigInt: the value's text is all a client can be given.
  }
  if (json === undefined) return { content: [text(textOf(value))] };
  if (isPlainObject(value))
    return { content: [text(json)], structuredContent: JSON.parse(json) as Record<string, unknown> };
  return { content: [text(json)], _meta: { [META_JSON]: true } };
}

/**
 * The value a tool result stands for: its `structuredContent` when it has one; else the value of
 * its JSON text when it is marked as such (`runtrace/json`); else the text of its content when all
 * of it is text (the parts joined by newlines; `undefined` for no content); else the content blocks
 * themselves (images, audio, resources).
 */
export function resultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = Array.isArray(result.content) ? result.content : [];
  if (content.length === 0) return undefined;
  const [first] = content;
  if (result._meta?.[META_JSON] === true && content.length === 1 && first!.type === "text") {
    try {
      return JSON.parse(first!.text);
    } catch {
      // Not JSON after all: the text is the value.
    }
  }
  if (content.every((block) => block.type === "text")) return content.map((block) => block.text).join("\n");
  return content;
}

/** What a failed tool result says, for an error message. */
export function resultText(result: CallToolResult): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const texts = content.filter((block) => block.type === "text").map((block) => block.text);
  if (texts.length > 0) return texts.join("\n");
  return content.length === 0 ? "(no message)" : JSON.stringify(content).slice(0, 500);
}
