// Names the samples of docs/llm.md use without defining them (see core.ts). Real and offline.
import * as rt from "@runtrace/core";

export { rt };

export async function fetchForecast(city: string): Promise<string> {
  return `${city}: 21°C, clear`;
}

const model = rt.scriptedModel(["Rome: two days of ruins, then the Aventine at sunset."], { loop: true });
export const planner = rt.agentNode({ name: "planner", model, system: "Plan trips.", tools: [] });
