/**
 * The details of the selected call: timings, error with stack, input and output, events,
 * attributes, attempts, trace ids (with an "open in Jaeger" link when configured) and, for a flow,
 * its graph.
 */
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { ConfigResponse } from "../../../src/shared/types.js";
import { clockTime, count, formatDuration } from "../format.js";
import { parseFlowGraph } from "../graph/layout.js";
import { jaegerLink } from "../links.js";
import { genAiSummary, spanKindOf } from "../tree/genai.js";
import { endOf, isOpen, shownStatus, type TreeNode } from "../tree/model.js";
import { ranIn } from "../tree/ran-in.js";
import { FlowGraphView } from "./flow-graph.js";
import { KindBadge, StatusBadge } from "./icons.js";
import { CopyButton, JsonView } from "./json-view.js";
import { Link } from "./nav.js";

interface SectionProps {
  /** A stable name (`data-section`), for tests and styles. */
  name: string;
  title: string;
  open?: boolean;
  extra?: ComponentChildren;
  children: ComponentChildren;
}

function Section(props: SectionProps) {
  const [open, setOpen] = useState(props.open ?? true);
  return (
    <section class={open ? "d-section open" : "d-section"} data-section={props.name}>
      <header>
        <button type="button" class="d-title" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span class="d-caret">▸</span>
          {props.title}
        </button>
        {props.extra}
      </header>
      {open && <div class="d-body">{props.children}</div>}
    </section>
  );
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function ErrorBox({ error }: { error: unknown }) {
  if (error === null || typeof error !== "object") return <JsonView value={error} />;
  const { name, message, stack, code, cause } = error as Record<string, unknown>;
  return (
    <div class="error-box">
      <div class="error-title">
        <span class="error-name">{String(name ?? "Error")}</span>
        {code !== undefined && <span class="error-code">{String(code)}</span>}
      </div>
      <div class="error-message">{String(message ?? "")}</div>
      {typeof stack === "string" && stack.length > 0 && <pre class="stack">{stack}</pre>}
      {cause !== undefined && (
        <div class="error-cause">
          <div class="muted">cause</div>
          <ErrorBox error={cause} />
        </div>
      )}
    </div>
  );
}

export interface DetailsProps {
  node: TreeNode | undefined;
  sessionId: string;
  sessionStart: number;
  /** Now while live; otherwise the last time recorded (where open-ended calls are known up to). */
  clock: number;
  /** The session is followed live: a call with no end is still running. */
  live: boolean;
  config: ConfigResponse;
  missingId: string | undefined;
}

export function Details({ node, sessionId, sessionStart, clock, live, config, missingId }: DetailsProps) {
  const graph = useMemo(() => parseFlowGraph(node?.call.attributes?.["flow.graph"]), [node?.call]);
  if (!node) {
    return (
      <aside class="details" aria-label="Call details">
        <div class="details-empty">
          {missingId !== undefined ? (
            <>
              No call <code>{missingId}</code> in this session (yet).
            </>
          ) : (
            "Select a call to see its input, output and timings."
          )}
        </div>
      </aside>
    );
  }
  const call = node.call;
  const open = isOpen(call, live);
  const running = !open && typeof call.end !== "number";
  const status = shownStatus(call, live);
  const end = endOf(call, clock);
  const duration = end - call.start;
  // An open-ended call ran at least until the last time seen; its real length is unknown.
  const shownDuration = open ? `≥ ${formatDuration(duration)}` : formatDuration(duration);
  const events = Array.isArray(call.events) ? call.events : [];
  const attributes = call.attributes && typeof call.attributes === "object" ? call.attributes : {};
  const attributeCount = Object.keys(attributes).length;
  const link = jaegerLink(config.jaegerUrl, call.traceId);
  const spanKind = spanKindOf(call);
  const genAi = genAiSummary(call);
  const where = ranIn(call);
  const route = (id: string) => ({ page: "session" as const, sessionId, callId: id });

  return (
    <aside class="details" aria-label="Call details">
      <div class="details-head">
        <div class="details-title">
          <KindBadge kind={String(call.kind)} spanKind={spanKind} />
          <h2 class="details-name">{String(call.node)}</h2>
        </div>
        <div class="details-meta">
          <StatusBadge status={status} />
          <span class="mono">{running ? `${formatDuration(duration)} so far` : shownDuration}</span>
          <span class="muted">{spanKind === undefined ? String(call.kind) : `span · ${spanKind}`}</span>
          <span class="muted mono">id {call.id}</span>
        </div>
      </div>
      <div class="details-scroll">
        {call.error !== undefined && call.error !== null && (
          <Section name="error" title="Error">
            <ErrorBox error={call.error} />
          </Section>
        )}
        {graph && (
          <Section name="graph" title={`Flow graph · ${graph.steps.length} steps`}>
            <FlowGraphView flow={node} graph={graph} sessionId={sessionId} />
          </Section>
        )}
        {genAi && (
          <Section name="model" title="Model">
            <dl class="fields">
              {genAi.model !== undefined && (
                <Field label="Model">
                  <span class="mono">{genAi.model}</span>
                </Field>
              )}
              {genAi.inputTokens !== undefined && (
                <Field label="Input tokens">{count(genAi.inputTokens)}</Field>
              )}
              {genAi.outputTokens !== undefined && (
                <Field label="Output tokens">{count(genAi.outputTokens)}</Field>
              )}
            </dl>
          </Section>
        )}
        {/* A span from other instrumentation has no input or output of its own: nothing to show. */}
        {!(call.kind === "span" && call.input === undefined && call.output === undefined) && (
          <>
            <Section
              name="input"
              title="Input"
              extra={call.input !== undefined && <CopyButton value={call.input} />}
            >
              <JsonView value={call.input} />
            </Section>
            <Section
              name="output"
              title="Output"
              extra={call.output !== undefined && <CopyButton value={call.output} />}
            >
              {running && call.output === undefined ? (
                <div class="j-missing">still running</div>
              ) : open && call.output === undefined ? (
                <div class="j-missing">none: it had not ended when the recording stopped</div>
              ) : (
                <JsonView value={call.output} />
              )}
            </Section>
          </>
        )}
        <Section name="timings" title="Timings">
          <dl class="fields">
            <Field label="Started">
              {clockTime(call.start)} <span class="muted">+{formatDuration(call.start - sessionStart)}</span>
            </Field>
            <Field label="Ended">
              {running ? (
                <span class="muted">running</span>
              ) : open ? (
                <>
                  <span class="ended-open">{status}</span> <span class="muted">· last seen</span>{" "}
                  {clockTime(end)} <span class="muted">+{formatDuration(end - sessionStart)}</span>
                </>
              ) : (
                <>
                  {clockTime(end)} <span class="muted">+{formatDuration(end - sessionStart)}</span>
                </>
              )}
            </Field>
            <Field label="Duration">{shownDuration}</Field>
            {typeof call.waitMs === "number" && (
              <>
                <Field label="Waited">
                  {formatDuration(call.waitMs)} <span class="muted">for a concurrency slot</span>
                </Field>
                <Field label="Ran">{formatDuration(Math.max(0, duration - call.waitMs))}</Field>
              </>
            )}
            {where !== undefined && (
              <Field label="Ran in">
                <span class="mono">{where}</span>
              </Field>
            )}
            {call.kind !== "session" && call.kind !== "span" && (
              <Field label="Attempts">{count(call.attempts ?? 0)}</Field>
            )}
            <Field label="Children">{count(node.children.length)}</Field>
            {node.parent && (
              <Field label="Parent">
                <Link route={route(node.parent.id)} replace>
                  {String(node.parent.call.node)}
                </Link>{" "}
                <span class="muted mono">{node.parent.id}</span>
              </Field>
            )}
          </dl>
        </Section>
        {events.length > 0 && (
          <Section name="events" title={`Events · ${events.length}`}>
            <ol class="events">
              {events.map((event, i) => (
                <li key={i}>
                  <span class="mono muted ev-time">
                    +
                    {formatDuration((typeof event?.time === "number" ? event.time : call.start) - call.start)}
                  </span>
                  <span class="ev-name">{String(event?.name)}</span>
                  {event?.data !== undefined && <JsonView value={event.data} openDepth={1} />}
                </li>
              ))}
            </ol>
          </Section>
        )}
        {attributeCount > 0 && (
          <Section name="attributes" title={`Attributes · ${attributeCount}`}>
            <JsonView value={attributes} openDepth={1} />
          </Section>
        )}
        {(call.traceId !== undefined || call.spanId !== undefined) && (
          <Section name="trace" title="Trace">
            <dl class="fields">
              {call.traceId !== undefined && (
                <Field label="Trace id">
                  <span class="mono">{String(call.traceId)}</span>{" "}
                  {link && (
                    <a href={link} target="_blank" rel="noopener noreferrer">
                      open in Jaeger ↗
                    </a>
                  )}
                </Field>
              )}
              {call.spanId !== undefined && (
                <Field label="Span id">
                  <span class="mono">{String(call.spanId)}</span>
                </Field>
              )}
            </dl>
          </Section>
        )}
      </div>
    </aside>
  );
}
