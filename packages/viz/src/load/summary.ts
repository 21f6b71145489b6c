import type { CallTree, SessionSummary } from "@runtrace/core";
import type { SessionResponse } from "../shared/types.js";
import { toFlatCall } from "./flatten.js";

/** What `GET /api/sessions/:id` answers for a tree. */
export function sessionResponse(tree: CallTree, summary: SessionSummary): SessionResponse {
  return {
    summary,
    root: toFlatCall(tree.root, 0),
    warnings: [...tree.warnings],
    live: tree.root.end === undefined && tree.root.status === "running",
  };
}
