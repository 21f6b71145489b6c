/**
 * A recorded value as a collapsible JSON tree. Everything is rendered as text nodes; long strings
 * and big arrays/objects are shown in part with a button for the rest, so one huge value cannot
 * freeze the page.
 */
import { useState } from "preact/hooks";
import { jsonText } from "../format.js";

const STRING_PREVIEW = 600;
const ENTRIES_PREVIEW = 100;

function LongString({ value, quoted }: { value: string; quoted: boolean }) {
  const [all, setAll] = useState(false);
  const cut = !all && value.length > STRING_PREVIEW;
  const text = cut ? value.slice(0, STRING_PREVIEW) : value;
  return (
    <span class="j-str">
      {quoted ? `"${text}` : text}
      {cut ? (
        <button type="button" class="j-more" onClick={() => setAll(true)}>
          … {(value.length - STRING_PREVIEW).toLocaleString("en-US")} more characters
        </button>
      ) : quoted ? (
        '"'
      ) : null}
    </span>
  );
}

function preview(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[ ${value.length} ]`;
  const size = Object.keys(value as object).length;
  return size === 0 ? "{}" : `{ ${size} }`;
}

function Primitive({ value }: { value: unknown }) {
  if (value === null) return <span class="j-null">null</span>;
  switch (typeof value) {
    case "string":
      return <LongString value={value} quoted />;
    case "number":
      return <span class="j-num">{String(value)}</span>;
    case "boolean":
      return <span class="j-bool">{String(value)}</span>;
    case "undefined":
      return <span class="j-null">undefined</span>;
    default:
      return <span class="j-other">{String(value)}</span>;
  }
}

interface NodeProps {
  value: unknown;
  name?: string | undefined;
  depth: number;
  openDepth: number;
}

function JsonNode({ value, name, depth, openDepth }: NodeProps) {
  const composite = value !== null && typeof value === "object";
  const [open, setOpen] = useState(depth < openDepth);
  const [limit, setLimit] = useState(ENTRIES_PREVIEW);
  const key = name === undefined ? null : <span class="j-key">{name}</span>;
  if (!composite) {
    return (
      <div class="j-line">
        {key}
        {key && <span class="j-punct">:</span>}
        <Primitive value={value} />
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>);
  const empty = entries.length === 0;
  return (
    <div class="j-node">
      <div class="j-line">
        {empty ? (
          <span class="j-toggle-space" />
        ) : (
          <button
            type="button"
            class={open ? "j-toggle open" : "j-toggle"}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            ▸
          </button>
        )}
        {key}
        {key && <span class="j-punct">:</span>}
        <span class="j-preview">{preview(value)}</span>
      </div>
      {open && !empty && (
        <div class="j-children">
          {entries.slice(0, limit).map(([childKey, child]) => (
            <JsonNode key={childKey} name={childKey} value={child} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > limit && (
            <button type="button" class="j-more" onClick={() => setLimit(limit + ENTRIES_PREVIEW * 5)}>
              show {Math.min(entries.length - limit, ENTRIES_PREVIEW * 5).toLocaleString("en-US")} more of{" "}
              {entries.length.toLocaleString("en-US")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function CopyButton({ value }: { value: unknown }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="copy"
      title="Copy as JSON"
      onClick={() => {
        navigator.clipboard?.writeText(jsonText(value)).then(
          () => {
            setDone(true);
            setTimeout(() => setDone(false), 1200);
          },
          () => {},
        );
      }}
    >
      {done ? "copied" : "copy"}
    </button>
  );
}

/**
 * A value: a plain string as a block of text (how an LLM's answer reads best), anything else as a
 * JSON tree opened `openDepth` levels deep.
 */
export function JsonView({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  if (value === undefined) return <div class="j-missing">not recorded</div>;
  if (typeof value === "string") {
    return (
      <div class="json j-text">
        <LongString value={value} quoted={false} />
      </div>
    );
  }
  return (
    <div class="json">
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}
