/** Inline SVG icons (the build ships no image or font files). */

export function Logo() {
  return (
    <svg class="logo" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
      <rect x="1" y="2" width="11" height="3" rx="1.5" fill="currentColor" opacity="0.9" />
      <rect x="4" y="7.5" width="8" height="3" rx="1.5" fill="var(--run)" />
      <rect x="7" y="13" width="10" height="3" rx="1.5" fill="var(--ok)" />
    </svg>
  );
}

export function Caret({ open }: { open: boolean }) {
  return (
    <svg
      class={open ? "caret-icon open" : "caret-icon"}
      width="10"
      height="10"
      viewBox="0 0 10 10"
      aria-hidden="true"
    >
      <path
        d="M3 1.5 L7 5 L3 8.5"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linecap="round"
      />
    </svg>
  );
}

export function SearchIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      <circle cx="6" cy="6" r="4.2" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M9.2 9.2 L12.5 12.5" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
    </svg>
  );
}

export function Chevron({ up }: { up: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <path
        d={up ? "M2.5 7.5 L6 4 L9.5 7.5" : "M2.5 4.5 L6 8 L9.5 4.5"}
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linecap="round"
      />
    </svg>
  );
}

/**
 * One letter per kind, shown in the tree and the details. A span from other instrumentation (or
 * received over OTLP) is a hollow diamond: it is not one of the application's nodes.
 */
export const KIND_LETTER: Record<string, string> = {
  session: "S",
  function: "ƒ",
  tool: "T",
  llm: "L",
  agent: "A",
  flow: "F",
  span: "◇",
};

/** `spanKind`: a span record's OpenTelemetry kind (`server`, `client`, ...), said in the title. */
export function KindBadge({ kind, spanKind }: { kind: string; spanKind?: string | undefined }) {
  const known = Object.hasOwn(KIND_LETTER, kind);
  const title = spanKind === undefined ? `kind: ${kind}` : `OpenTelemetry span (${spanKind})`;
  return (
    <span class={`kind kind-${known ? kind : "other"}`} title={title}>
      {known ? KIND_LETTER[kind] : "?"}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status-badge st-${statusClass(status)}`}>{status}</span>;
}

/** The CSS class suffix of a status (unknown statuses look like errors). */
export function statusClass(status: string): string {
  switch (status) {
    case "ok":
    case "error":
    case "timeout":
    case "cancelled":
    case "skipped":
    case "running":
    case "interrupted":
    case "unfinished":
      return status;
    default:
      return "error";
  }
}
