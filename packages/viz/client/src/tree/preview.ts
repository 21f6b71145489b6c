/**
 * A one-line preview of a call's arguments for its tree row (`"Oslo", {day: 3}`), so that many
 * calls of the same node can be told apart without opening each one. Plain text: the view renders
 * it as a text node. Pure, no DOM.
 */
import type { FlatCall } from "../../../src/shared/types.js";

/** How many characters a row's preview holds (the column cuts it further with an ellipsis). */
export const ROW_PREVIEW_CHARS = 120;
/** Nesting shown before a value becomes `{…}` or `[…]`. */
const MAX_DEPTH = 3;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Writes `value` compactly into `out` until `out.length` passes `budget.left`. */
function write(value: unknown, depth: number, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  let text: string;
  switch (typeof value) {
    case "string":
      // JSON quoting shows the string's edges and turns line breaks into `\n`: one line.
      text = JSON.stringify(value.length > budget.left ? value.slice(0, budget.left + 1) : value);
      break;
    case "number":
    case "boolean":
    case "bigint":
      text = String(value);
      break;
    case "undefined":
      text = "undefined";
      break;
    case "object": {
      if (value === null) {
        text = "null";
        break;
      }
      const array = Array.isArray(value);
      const keys = array ? undefined : Object.keys(value);
      const size = array ? value.length : keys!.length;
      if (size === 0) {
        text = array ? "[]" : "{}";
        break;
      }
      if (depth >= MAX_DEPTH) {
        text = array ? "[…]" : "{…}";
        break;
      }
      emit(array ? "[" : "{", out, budget);
      // Stops at the budget: a long array or a wide object costs only what is shown.
      for (let index = 0; index < size && budget.left > 0; index++) {
        if (index > 0) emit(", ", out, budget);
        if (array) write(value[index], depth + 1, out, budget);
        else {
          const key = keys![index]!;
          emit(`${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: `, out, budget);
          write((value as Record<string, unknown>)[key], depth + 1, out, budget);
        }
      }
      emit(array ? "]" : "}", out, budget);
      return;
    }
    default:
      text = String(value);
  }
  emit(text, out, budget);
}

function emit(text: string, out: string[], budget: { left: number }): void {
  out.push(text);
  budget.left -= text.length;
}

/**
 * The preview of a recorded input: the arguments of a call (recorded as an array) separated by
 * commas, or the one value; at most `max` characters, cut with `…`. Empty when nothing was
 * recorded (no input, or no arguments).
 */
export function argsPreview(input: unknown, max = ROW_PREVIEW_CHARS): string {
  if (input === undefined || (Array.isArray(input) && input.length === 0)) return "";
  const out: string[] = [];
  const budget = { left: max + 1 };
  if (Array.isArray(input)) {
    for (let index = 0; index < input.length && budget.left > 0; index++) {
      if (index > 0) emit(", ", out, budget);
      write(input[index], 1, out, budget);
    }
  } else {
    write(input, 0, out, budget);
  }
  const text = out.join("");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// A call is replaced (never mutated) when it changes, so its preview can be kept until then.
const cache = new WeakMap<FlatCall, string>();

/** `argsPreview` of a call's input, computed once per version of the call. */
export function callPreview(call: FlatCall): string {
  let preview = cache.get(call);
  if (preview === undefined) {
    preview = argsPreview(call.input);
    cache.set(call, preview);
  }
  return preview;
}
