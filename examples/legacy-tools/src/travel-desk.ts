/**
 * A service class of tools in the NestJS style (experimentalDecorators + emitDecoratorMetadata with
 * reflect-metadata): the tools' JSON Schemas come from the methods' declared parameter types and
 * the `@rt.field` descriptions of the classes they take, an agent gets them with `rt.toolsOf`, and
 * a framework could find them under `rt.NODE_METADATA`.
 *
 * Run: `node examples/legacy-tools/dist/travel-desk.js` (after `npm run build`); offline, with a
 * scripted model.
 */
import "reflect-metadata";
import * as rt from "@runtrace/core";

export class Stay {
  @rt.field({ description: "city to stay in" }) city!: string;
  @rt.field({ description: "number of nights", optional: true }) nights?: number;
}

export class TravelDesk {
  constructor(private readonly currency: string) {}

  @rt.functionNode({ kind: "tool", description: "Hotels with a free room in a city" })
  async hotels(city: string, maxPrice: number): Promise<string[]> {
    const all = [`${city} Grand (180 ${this.currency})`, `${city} Budget Inn (70 ${this.currency})`];
    return all.filter((hotel) => Number(/\((\d+)/.exec(hotel)![1]) <= maxPrice);
  }

  @rt.functionNode({ kind: "tool", description: "Book a stay; returns the booking reference" })
  async book(stay: Stay, hotel: string): Promise<string> {
    return `BK-${stay.city.slice(0, 3).toUpperCase()}-${stay.nights ?? 1}-${hotel.length}`;
  }
}

/** A model that looks for a hotel, books it, and answers: the agent loop, offline. */
export function deskModel(): rt.Model {
  return rt.scriptedModel([
    { toolCalls: [{ name: "TravelDesk_hotels", arguments: { city: "Porto", maxPrice: 100 } }] },
    {
      toolCalls: [
        {
          name: "TravelDesk_book",
          arguments: { stay: { city: "Porto", nights: 2 }, hotel: "Porto Budget Inn" },
        },
      ],
    },
    { text: "Booked Porto Budget Inn for 2 nights (BK-POR-2-16)." },
  ]);
}

/** Runs the desk's agent on one request; returns the answer and the recorded tree. */
export async function planStay(request: string, model: rt.Model = deskModel()) {
  const desk = new TravelDesk("EUR");
  const agent = rt.agentNode({ name: "travelDesk", model, tools: rt.toolsOf(desk), maxTurns: 5 });
  const session = new rt.Session({ name: "travel desk", store: rt.memoryStore() });
  const answer = await session.run(() => rt.call(agent, request));
  return { answer, tree: session.tree, schemas: rt.toolsOf(desk).map((tool) => tool.toolSchema()) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { answer, tree, schemas } = await planStay("A cheap hotel in Porto for two nights, please.");
  for (const schema of schemas) console.log(`${schema.name}: ${JSON.stringify(schema.parameters)}`);
  console.log(rt.formatTree(tree, { color: false }));
  console.log(answer);
}
