/**
 * `npm run demo`: an agent with tools inside a flow plans a trip, offline (a scripted model; set
 * OPENAI_BASE_URL and OPENAI_API_KEY to use a real one). It prints the flow's graph, the streamed
 * answer and the recorded call tree, then opens the viewer on that session and prints its URL,
 * serving until Ctrl-C. `--no-serve` stops after printing (for scripts and CI).
 */
import * as rt from "@runtrace/core";
import { startViewer } from "@runtrace/viz";
import { printTripDemo } from "./agent-demo.js";

const serve = !process.argv.includes("--no-serve");
const session = await printTripDemo();

if (serve) {
  const viewer = await startViewer({
    dir: rt.jsonlStore().dir,
    port: Number(process.env.PORT ?? 4747),
  }).catch(async (error: unknown) => {
    // The usual port may be taken (another viewer running): any free port will do.
    if ((error as { cause?: { code?: string } }).cause?.code !== "EADDRINUSE") throw error;
    return startViewer({ dir: rt.jsonlStore().dir, port: 0 });
  });
  console.log(`\nViewer: ${new URL(`/s/${session.id}`, viewer.url).href}   (Ctrl-C to stop)`);
  process.once("SIGINT", () => {
    void viewer.close().then(() => process.exit(0));
  });
}
