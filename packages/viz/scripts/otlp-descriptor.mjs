// Writes src/ingest/otlp-descriptor.ts from src/ingest/otlp.proto: the schema as protobufjs JSON,
// so the published package decodes OTLP without shipping (or parsing) the .proto file.
// Run after changing otlp.proto: node packages/viz/scripts/otlp-descriptor.mjs
import { readFileSync, writeFileSync } from "node:fs";
import protobuf from "protobufjs";

const proto = new URL("../src/ingest/otlp.proto", import.meta.url);
const out = new URL("../src/ingest/otlp-descriptor.ts", import.meta.url);
const json = protobuf.parse(readFileSync(proto, "utf8"), { keepCase: false }).root.toJSON();
writeFileSync(
  out,
  `// Generated from otlp.proto by scripts/otlp-descriptor.mjs: do not edit (decode.test.ts checks it).\n` +
    `export const OTLP_DESCRIPTOR = ${JSON.stringify(json)} as const;\n`,
);
