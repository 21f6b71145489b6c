/**
 * `npm run demo`: four "language" nodes answer one question in parallel, then the recorded call
 * tree is printed and the session file named.
 */
import * as rt from "@runtrace/core";
import { askEverywhere } from "./four-languages.js";

const question = "What is MLOps?";
const started = performance.now();
const session = new rt.Session({ name: "four-languages", attributes: { question } });

await session.run(() =>
  rt.call(askEverywhere, question, (language, answer) => {
    const at = (performance.now() - started).toFixed(0).padStart(4);
    console.log(`${at} ms  ${language.padEnd(8)} ${answer}`);
  }),
);
await rt.flush();

console.log(`\n${rt.formatTree(session.tree)}\n`);
const store = rt.jsonlStore();
console.log(`Recorded session ${session.id} in ${store.fileOf(session.id)}`);
console.log(`Read it back with: rt.readSession("${session.id}")`);
