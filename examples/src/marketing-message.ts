/**
 * A personalised marketing message (reference scenario 001). Four lookups (the current time, the
 * user's profile, their purchase history, the items on sale) are tools, each wrapped in its own
 * sub-flow; the four sub-flows run in parallel, their outputs are merged, and an LLM node writes the
 * welcome message from them. The flow is exported as a JSON spec as well.
 *
 * Run: node examples/dist/marketing-message.js [username]
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { z } from "zod";
import { chooseModel, describeModel, isMain, lastUserMessage } from "./models.js";

const USERS: Record<string, { name: string; dateOfBirth: string }> = {
  alice: { name: "Alice Moreau", dateOfBirth: "1991-03-14" },
  bob: { name: "Bob Lindqvist", dateOfBirth: "1985-11-02" },
};

const PURCHASES: Record<string, string[]> = {
  alice: ["trail running shoes", "hydration vest"],
  bob: ["espresso grinder", "milk frother"],
};

/** A lookup that takes a moment, as a real service would. */
async function service<T>(ms: number, value: T): Promise<T> {
  await sleep(ms, undefined, { signal: rt.signal() });
  return value;
}

export const currentTime = rt.functionNode(
  async () => service(40, { iso: "2025-06-12T09:30:00Z", weekday: "Thursday" }),
  { name: "getCurrentTime", kind: "tool", description: "The current date and time" },
);

export const userInfo = rt.functionNode(
  async (username: string) => service(70, USERS[username] ?? { name: username, dateOfBirth: "unknown" }),
  {
    name: "getUserInfo",
    kind: "tool",
    description: "A user's name and date of birth",
    params: [["username", z.string()]],
  },
);

export const purchaseHistory = rt.functionNode(
  async (username: string) => service(90, PURCHASES[username] ?? []),
  {
    name: "getPurchaseHistory",
    kind: "tool",
    description: "What a user bought before",
    params: [["username", z.string()]],
  },
);

export const itemsOnSale = rt.functionNode(
  async () => service(50, ["running socks (-30%)", "coffee beans sampler (-20%)", "rain jacket (-40%)"]),
  { name: "getItemsOnSale", kind: "tool", description: "Items currently on sale" },
);

/** A flow holding just one tool, so each lookup runs as its own sub-flow. */
function subflow(name: string, tool: rt.Node<any, any>) {
  return rt.flow(name, { [tool.name]: tool }, { returns: tool.name });
}

/** Offline stand-in for the copywriter: writes the message from the facts it was given. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        const facts = JSON.parse(lastUserMessage(request).split("\n\n").at(-1) ?? "{}");
        const first = String(facts.user?.name ?? "there").split(" ")[0];
        const bought = facts.purchases?.[0] ?? "your last order";
        const sale = facts.sale?.[0] ?? "our new arrivals";
        return {
          text: `Happy ${facts.time?.weekday ?? "day"}, ${first}! Loved your ${bought}? Today only: ${sale}, picked for you.`,
          delayMs: 120,
        };
      },
    ],
    { name: "scripted-writer", loop: true, price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
  );
}

/** The whole flow: four lookups side by side, then the message. */
export function makeMarketingFlow(model: rt.Model) {
  const writer = rt.llmNode({
    name: "writeMarketingMessage",
    model,
    system:
      "You write short, warm, personalised marketing welcome messages (two sentences), mentioning a past purchase and one item on sale.",
    prompt: "Write the welcome message for this user. Facts as JSON:\n\n{input}",
  });
  return rt.flow(
    "marketingMessage",
    {
      time: subflow("timeFlow", currentTime),
      user: subflow("userFlow", userInfo),
      purchases: subflow("purchasesFlow", purchaseHistory),
      sale: subflow("saleFlow", itemsOnSale),
      message: { node: writer, after: ["time", "user", "purchases", "sale"] },
    },
    {
      returns: "message",
      description: "Gathers facts about a user in parallel, then writes a welcome message",
    },
  );
}

if (isMain(import.meta.url)) {
  const username = process.argv[2] ?? "alice";
  const model = chooseModel(offlineModel);
  const marketing = makeMarketingFlow(model);
  console.log(`Writing a welcome message for "${username}" on ${describeModel(model)}\n`);
  const session = new rt.Session({ name: "marketing-message", attributes: { username } });
  const message = await session.run(() => marketing(username));
  await rt.flush();
  console.log(`${message}\n`);
  console.log(rt.formatTree(session.tree));
  console.log(
    `\nThe flow as a spec (rt.flowFromJSON reads it back):\n${JSON.stringify(marketing.toJSON(), null, 2)}`,
  );
}
