import { type CallRecord, failed, formatTree } from "@runtrace/core";
import { safeLine } from "../../safe-text.js";
import { resolveSession } from "../resolve.js";

/** Options of `runtrace show`. */
export interface ShowOptions {
  dir: string;
  depth: number | undefined;
  errors: boolean;
}

const isFailure = (record: CallRecord): boolean => failed(record.status);

/** `runtrace show <session-id | file | latest> [--depth N] [--errors]`: the tree, as core formats it. */
export async function show(ref: string, options: ShowOptions): Promise<void> {
  const { tree } = await resolveSession(ref, options.dir);
  const text = formatTree(tree, { depth: options.depth, errorsOnly: options.errors });
  process.stdout.write(`${text}\n`);
  if (options.errors && !isFailure(tree.root) && tree.find(isFailure) === undefined) {
    process.stdout.write(`No failed calls in this session (${tree.size} calls).\n`);
  }
  for (const warning of tree.warnings) process.stderr.write(`warning: ${safeLine(warning)}\n`);
}
