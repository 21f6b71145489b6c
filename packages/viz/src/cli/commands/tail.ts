import { type CallTree, failed, formatDuration, formatTree, type SessionSummary } from "@runtrace/core";
import type { LiveCounts, LiveSession } from "../../load/live.js";
import { SessionSource } from "../../load/sessions.js";
import { safeLine } from "../../safe-text.js";

/** Redraws at most this often (about 5 times a second). */
const FRAME_MS = 200;

/** The newest running session, else the newest one; waits for one to appear in an empty directory. */
async function pickSession(
  source: SessionSource,
  stopped: () => boolean,
): Promise<SessionSummary | undefined> {
  let said = false;
  while (!stopped()) {
    const sessions = await source.list();
    const pick = sessions.find((s) => s.status === "running") ?? sessions.find((s) => s.start > 0);
    if (pick !== undefined) return pick;
    if (!said) {
      process.stdout.write(`Waiting for a session in ${safeLine(source.dir)}… (Ctrl-C to stop)\n`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

function countsLine({ running, done, failed }: LiveCounts): string {
  return `running ${running} · done ${done} · failed ${failed}`;
}

/** The counts of a session read whole, as `LiveSession` keeps them while following (root left out). */
function countsOf(tree: CallTree): LiveCounts {
  const counts: LiveCounts = { running: 0, done: 0, failed: 0 };
  for (const record of tree.findAll((r) => r !== tree.root)) {
    if (record.status === "running") counts.running++;
    else if (failed(record.status)) counts.failed++;
    else counts.done++;
  }
  return counts;
}

/** What is printed of a session at the end: its tree, its warnings when read whole, the counts. */
function endText(
  tree: CallTree | undefined,
  counts: LiveCounts,
  warnings: readonly string[],
  byUser: boolean,
) {
  const lines = tree === undefined ? [] : [formatTree(tree)];
  for (const warning of warnings) lines.push(`warning: ${safeLine(warning)}`);
  lines.push(countsLine(counts), endLine(tree, counts.failed, byUser));
  return `${lines.join("\n")}\n`;
}

function headerLine(live: LiveSession): string {
  const root = live.tree?.root;
  if (root === undefined) return `${safeLine(live.id)}: waiting for the session's first line`;
  const took = formatDuration((root.end ?? Date.now()) - root.start);
  return `${safeLine(root.node)}  ${safeLine(live.id)}  ${safeLine(root.status)}  ${took}`;
}

function endLine(tree: CallTree | undefined, failed: number, interrupted: boolean): string {
  const root = tree?.root;
  if (root === undefined) return "Stopped.";
  if (interrupted) return "Stopped following: the session is still running.";
  if (root.status === "interrupted") return "Session interrupted: its process stopped without ending it.";
  const took = root.end === undefined ? "" : ` in ${formatDuration(root.end - root.start)}`;
  return `Session ${safeLine(root.status)}${took}: ${tree!.size} calls, ${failed} failed.`;
}

/** One screenful: header, counts, and the end of the tree when it does not fit. */
function frame(live: LiveSession, columns: number, rows: number): string[] {
  const tree = live.tree;
  const treeLines = tree === undefined ? [] : formatTree(tree, { color: false }).split("\n");
  const room = Math.max(3, rows - 3);
  const shown =
    treeLines.length > room
      ? [`… ${treeLines.length - room + 1} lines above`, ...treeLines.slice(treeLines.length - room + 1)]
      : treeLines;
  const clip = (line: string) => {
    const chars = [...line];
    return chars.length >= columns ? `${chars.slice(0, columns - 2).join("")}…` : line;
  };
  return [headerLine(live), countsLine(live.counts), ...shown].map(clip);
}

/**
 * `runtrace tail [--dir]`: follows the newest running session (or the newest one) in the terminal,
 * redrawing its counts and growing tree, until it ends or Ctrl-C. Off a terminal it prints the
 * counts when they change and the whole tree at the end.
 */
export async function tail(dir: string): Promise<void> {
  const out = process.stdout;
  const tty = out.isTTY === true;
  const source = new SessionSource({ dir });
  let stopped = false;
  let onStop = () => {};
  const sigint = () => {
    stopped = true;
    onStop();
  };
  process.once("SIGINT", sigint);
  process.once("SIGTERM", sigint);
  try {
    const picked = await pickSession(source, () => stopped);
    if (picked === undefined) return;
    out.write(`Following ${safeLine(picked.name)} (${safeLine(picked.id)})\n`);
    // Over already (read from a segment file that holds it whole): shown as read.
    const over = await source.ifOver(picked.id).catch(() => undefined);
    if (over !== undefined) {
      out.write(endText(over.tree, countsOf(over.tree), over.tree.warnings, false));
      return;
    }
    // The same shared reader as the viewer's: it reads appended lines and notices a writer that died.
    const feed = source.feed(picked.id);
    const live = feed.live;

    await new Promise<void>((resolve) => {
      let drawn = 0;
      let lastDraw = 0;
      let lastCounts = "";
      let timer: ReturnType<typeof setTimeout> | undefined;
      let done = false;

      const draw = () => {
        timer = undefined;
        lastDraw = Date.now();
        if (tty) {
          const lines = frame(live, out.columns || 80, out.rows || 24);
          out.write(`${drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : ""}${lines.join("\n")}\n`);
          drawn = lines.length;
        } else {
          const counts = countsLine(live.counts);
          if (counts !== lastCounts) out.write(`${counts}\n`);
          lastCounts = counts;
        }
      };
      const schedule = () => {
        if (timer !== undefined || done) return;
        timer = setTimeout(draw, Math.max(0, FRAME_MS - (Date.now() - lastDraw)));
      };
      /** `stored`: the session as read whole (a file with no session line yet never ends live). */
      const finish = (byUser: boolean, stored?: CallTree) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        release();
        if (tty && drawn > 0) out.write(`\x1b[${drawn}A\r\x1b[J`);
        const tree = stored ?? live.tree;
        const counts = stored === undefined ? live.counts : countsOf(stored);
        out.write(endText(tree, counts, stored?.warnings ?? [], byUser));
        resolve();
      };
      const release = feed.subscribe({
        change: () => {
          if (live.ended) finish(false);
          else schedule();
        },
        // The file was replaced or truncated under us: what was followed is gone.
        closed: () => finish(true),
      });
      onStop = () => finish(true);
      void feed.checkWriter().then(async () => {
        if (live.ended) return finish(false);
        if (live.tree === undefined && picked.status !== "running") {
          // Nothing to follow (an empty file, its process killed before it wrote): shown as read.
          const loaded = await source.load(picked.id).catch(() => undefined);
          if (loaded !== undefined && !loaded.response.live) return finish(false, loaded.tree);
        }
        draw();
      });
    });
  } finally {
    source.close();
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigint);
  }
}
