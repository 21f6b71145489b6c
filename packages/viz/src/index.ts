/// <reference types="node" preserve="true" />
/**
 * @runtrace/viz: the `runtrace` CLI's engine as a library. `startViewer` serves the local web
 * viewer over a directory of recorded sessions (and, with `otlp`, takes OpenTelemetry traces over
 * OTLP/HTTP as sessions); `toJaegerJson`, `toOtlpJson` and `toHtml` export a session's tree for
 * Jaeger UI, any OTLP backend, or as one offline HTML file.
 *
 * @example
 * ```ts
 * import * as rt from "@runtrace/core";
 * import { startViewer, toJaegerJson } from "@runtrace/viz";
 *
 * const viewer = await startViewer({ port: 0 });
 * console.log(viewer.url);
 * const tree = await rt.readSession("20261122-173741-a1b2c3d4e5");
 * console.log(JSON.stringify(toJaegerJson(tree)));
 * ```
 */

export type { OtlpOptions, Viewer, ViewerOptions } from "./api.js";
export { startViewer } from "./api.js";
export type { HtmlOptions } from "./export/html.js";
export { toHtml } from "./export/html.js";
export type {
  JaegerFile,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTag,
} from "./export/jaeger.js";
export { toJaegerJson } from "./export/jaeger.js";
export type { OtlpAnyValue, OtlpKeyValue, OtlpSpan, OtlpTraceRequest } from "./export/otlp.js";
export { toOtlpJson } from "./export/otlp.js";
export type { ExportOptions } from "./export/spans.js";
export type {
  CallsResponse,
  ConfigResponse,
  ErrorResponse,
  FlatCall,
  InlineData,
  SessionResponse,
  SessionsResponse,
  StreamEventName,
} from "./shared/types.js";
