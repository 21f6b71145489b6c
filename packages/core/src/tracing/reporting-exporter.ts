import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-node";
import { logger } from "../recording/logger.js";

/** `ExportResult` of `@opentelemetry/core` (not a dependency): code 0 is success, 1 failure. */
interface ExportResult {
  code: number;
  error?: Error;
}
const SUCCESS = 0;

function reason(error: unknown): string {
  if (error instanceof Error) {
    // OTLP exporter errors carry the HTTP status as a numeric `code`; Node's network errors a string.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "number") return `HTTP ${code} ${error.message}`;
    return typeof code === "string" && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return error === undefined ? "unknown reason" : String(error);
}

/**
 * Wraps the OTLP exporter so that its failures never reach the application: a failed export (the
 * collector is down, answers 500, times out) is reported once through runtrace's logger, and again
 * only after an export has succeeded in between (one report per outage, not one per batch). The
 * batch processor is told the export succeeded, so `flush()` and `shutdown()` resolve: the spans
 * are lost either way, since nothing retries a failed batch.
 *
 * The real exporter is loaded on first use, so only the package of the chosen protocol
 * (`@opentelemetry/exporter-trace-otlp-proto` or `-http`) needs to be installed.
 */
export class ReportingExporter implements SpanExporter {
  readonly #endpoint: string;
  readonly #inner: Promise<SpanExporter | undefined>;
  #failing = false;
  #lost = 0;
  // Exports handed to this exporter and not done yet, and who waits for there to be none. The
  // batch processor's forceFlush awaits only the batches it sends itself, not one it sent on its
  // own (a full batch, the timer) just before: `settled()` waits for those too.
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(endpoint: string, load: () => Promise<SpanExporter>) {
    this.#endpoint = endpoint;
    // Settled here, never rejected: nobody may be awaiting it yet.
    this.#inner = load().catch((error: unknown) => {
      this.#report(`the OTLP exporter could not be loaded (${reason(error)}), so no span is sent`, 0);
      return undefined;
    });
  }

  /** Spans lost to failed exports since this exporter was made. */
  get lost(): number {
    return this.#lost;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#exported();
      done({ code: SUCCESS });
    };
    this.#inner.then((inner) => {
      if (inner === undefined) {
        this.#lost += spans.length;
        finish();
        return;
      }
      try {
        inner.export(spans, (result) => {
          this.#observe(result, spans.length);
          finish();
        });
      } catch (error) {
        this.#observe({ code: 1, error: error as Error }, spans.length);
        finish();
      }
    });
  }

  /** Resolves once no export is in flight (those started meanwhile included). Never rejects. */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #exported(): void {
    if (--this.#inFlight > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }

  async forceFlush(): Promise<void> {
    const inner = await this.#inner;
    try {
      await inner?.forceFlush?.();
    } catch (error) {
      this.#report(`flushing the exporter to ${this.#endpoint} failed (${reason(error)})`, 0);
    }
  }

  async shutdown(): Promise<void> {
    await this.settled();
    const inner = await this.#inner;
    try {
      await inner?.shutdown();
    } catch (error) {
      this.#report(`shutting the exporter to ${this.#endpoint} down failed (${reason(error)})`, 0);
    }
  }

  #observe(result: ExportResult, count: number): void {
    if (result.code === SUCCESS) {
      this.#failing = false;
      return;
    }
    this.#report(`exporting spans to ${this.#endpoint} failed (${reason(result.error)})`, count);
  }

  #report(what: string, count: number): void {
    this.#lost += count;
    if (this.#failing) return;
    this.#failing = true;
    const lost = count > 0 ? `; ${count} span(s) lost` : "";
    try {
      logger().warn(`tracing: ${what}${lost}. Further failures are not reported until an export succeeds.`);
    } catch {
      // A logger that throws must not break the application.
    }
  }
}
