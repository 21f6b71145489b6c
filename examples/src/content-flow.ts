/**
 * The content flow of reference scenario 003, written with `rt.flow.fromPaths`: tasks plus
 * `{ producer: [consumers] }` paths. Requirements feed the site design and the code; the design
 * feeds an image description, which feeds a logo step. The logo is `exclude`d: it runs, but its
 * output stays out of the result. Prints the flow as a Mermaid graph.
 *
 * Run: node examples/dist/content-flow.js ["topic"]
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { chooseModel, describeModel, isMain, systemMessage } from "./models.js";

const ROLES = {
  spec: "You write specifications.",
  design: "You are a user-experience designer.",
  imageDescription: "You write short image descriptions for an image model.",
  code: "You are a web developer. You generate code.",
};

const OFFLINE: Record<string, { text: string; delayMs: number }> = {
  [ROLES.spec]: {
    text: "Requirements: article pages, topic tags (climate, oceans, energy), newsletter signup, accessible and fast.",
    delayMs: 90,
  },
  [ROLES.design]: {
    text: "Theme 'Canopy': forest green and sand, serif headings, large photos, a calm single-column layout.",
    delayMs: 70,
  },
  [ROLES.imageDescription]: { text: "A leaf forming a speech bubble, flat, green on sand.", delayMs: 40 },
  [ROLES.code]: {
    text: '<main class="canopy"><h1>Green Pages</h1><article>…</article><form id="newsletter">…</form></main>',
    delayMs: 110,
  },
};

/** Offline stand-in: each role gets its canned answer. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel([(request) => OFFLINE[systemMessage(request)] ?? { text: "(no answer)" }], {
    name: "scripted-writer",
    loop: true,
  });
}

/** An image model stand-in: turns a description into a tiny SVG. */
export const drawLogo = rt.functionNode(
  async (description: string) => {
    await sleep(60, undefined, { signal: rt.signal() });
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><title>${description.replace(/[<&>]/g, "")}</title><circle cx="32" cy="32" r="28" fill="#2f6b3a"/></svg>`;
  },
  { name: "drawLogo", description: "Generates a logo from a description" },
);

export function makeContentFlow(model: rt.Model) {
  const task = (name: string, role: string, instruction: string) =>
    rt.llmNode({ name, model, system: role, prompt: `${instruction}\n\nInput:\n{input}` });
  return rt.flow.fromPaths(
    "contentFlow",
    {
      spec: task(
        "writeSpec",
        ROLES.spec,
        "Identify requirements for building a blogging website about this topic.",
      ),
      design: task(
        "designSite",
        ROLES.design,
        "Generate the website description and theme details from the requirements.",
      ),
      imageDescription: task(
        "describeImage",
        ROLES.imageDescription,
        "Generate a short image description for a logo.",
      ),
      logo: { node: drawLogo, exclude: true },
      code: task("writeCode", ROLES.code, "Generate code based on the requirements and the design."),
    },
    {
      spec: ["design", "code"],
      design: ["imageDescription", "code"],
      imageDescription: ["logo"],
      code: [],
    },
  );
}

if (isMain(import.meta.url)) {
  const topic = process.argv[2] ?? "the environment";
  const model = chooseModel(offlineModel);
  const content = makeContentFlow(model);
  console.log(`Content flow for a blog about ${topic}, on ${describeModel(model)}\n`);
  console.log(`${content.toMermaid()}\n`);
  const session = new rt.Session({ name: "content-flow", attributes: { topic } });
  const output = await session.run(() => content(topic));
  await rt.flush();
  for (const [step, text] of Object.entries(output)) console.log(`${step}: ${text}\n`);
  console.log(`(logo ran but is excluded from the output)\n`);
  console.log(rt.formatTree(session.tree));
}
