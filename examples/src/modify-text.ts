/**
 * The modifyText scenario: a decorated method splits a text into words, then swaps the case of
 * every word in parallel. The tree shows modifyText → splitText plus one call per word, in order.
 */
import * as rt from "@runtrace/core";

export const splitText = rt.functionNode((text: string) => text.split(" "), { name: "splitText" });
export const swapCase = rt.functionNode(
  async (word: string) =>
    [...word].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
  { name: "swapCase" },
);

export class TextTools {
  @rt.functionNode
  async modifyText(text: string): Promise<string> {
    const words = await rt.call(splitText, text);
    const swapped = await Promise.all(words.map((word) => rt.call(swapCase, word)));
    return swapped.join(" ");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tools = new TextTools();
  const session = new rt.Session({ name: "modify" });
  console.log(await session.run(() => rt.call(tools.modifyText, "Hello big World")));
  console.log(rt.formatTree(session.tree));
}
