import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, FIXTURES, removeTempDirs, runCli, tempDir, waitFor } from "./fixtures/helpers.js";
import { recordCheckout, recordWarmUp } from "./fixtures/shop.js";

let dir: string;
let warmId: string;
let checkoutId: string;

beforeEach(async () => {
  dir = tempDir();
  warmId = await recordWarmUp(dir);
  checkoutId = await recordCheckout(dir);
  writeFileSync(join(dir, "half.jsonl"), '{"type":"session","v":1,"id":"half","na');
});

afterEach(() => removeTempDirs());

describe("runtrace ls", () => {
  it("prints a table of sessions, newest first, with a corrupt file's problem", async () => {
    const { code, stdout, stderr } = await runCli(["ls", "--dir", dir]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+START\s+DURATION\s+CALLS\s+ERRORS$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${checkoutId}\\s+checkout\\s+error\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+[\\d.]+ ms\\s+6\\s+2$`,
      ),
    );
    expect(lines[2]).toMatch(new RegExp(`^${warmId}\\s+warm-up\\s+ok\\s+.*\\s+2\\s+0$`));
    expect(lines[3]).toMatch(/^half\s+half\s+error\s+-\s+-\s+0\s+0$/);
    expect(lines[4]).toMatch(/^ {2}! .*half\.jsonl is not a runtrace session file/);
    // Columns line up: every row starts its NAME where the header does.
    const nameAt = lines[0]!.indexOf("NAME");
    expect(lines[1]!.slice(nameAt, nameAt + 8)).toBe("checkout");
    expect(lines[2]!.slice(nameAt, nameAt + 7)).toBe("warm-up");
  });

  it("says where it looked when there are no sessions", async () => {
    const empty = tempDir();
    const { code, stdout } = await runCli(["ls", "--dir", empty]);
    expect(code).toBe(0);
    expect(stdout).toContain(`No sessions in ${empty}`);
  });
});

describe("runtrace show", () => {
  it("latest --depth 1 prints the newest session's top-level calls", async () => {
    const { code, stdout } = await runCli(["show", "latest", "--depth", "1", "--dir", dir]);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^✗ checkout \\[session\\] [\\d.]+ ms error Error: mail server refused ada ${checkoutId}$`,
        ),
      ),
      expect.stringMatching(/^└─ ✗ checkout \[agent\] [\d.]+ ms error Error: mail server refused ada$/),
      "   └─ … 4 more below",
    ]);
  });

  it("<id> --errors prints only the failed calls and the calls leading to them", async () => {
    const { code, stdout } = await runCli(["show", checkoutId, "--errors", "--dir", dir]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/└─ ✗ checkout \[agent\]/);
    expect(lines[2]).toMatch(/^ {3}└─ ✗ notify [\d.]+ ms error Error: mail server refused ada$/);
    expect(stdout).not.toMatch(/lookup|charge|fraudCheck/);

    const ok = await runCli(["show", warmId, "--errors", "--dir", dir]);
    expect(ok.stdout).toContain("No failed calls in this session (2 calls).");
    const whole = await runCli(["show", join(dir, `${warmId}.jsonl`)]);
    expect(whole.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(whole.stdout).toMatch(/├─ ✓ warmUp [\d.]+ ms\n└─ ✓ warmUp/);
  });

  it("says what it received and what it expected, with exit code 1", async () => {
    const unknown = await runCli(["show", "20990101-000000-0000000000", "--dir", dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe(
      `runtrace: no session "20990101-000000-0000000000" in ${dir}. Expected a session id (see \`runtrace ls\`), a .jsonl file, or "latest"; check the id with \`runtrace ls\`, or pass --dir.\n`,
    );
    const badId = await runCli(["show", "what?", "--dir", dir]);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/^runtrace: "what\?" is not a session id\. Expected .*"latest"\.\n$/);
    const depth = await runCli(["show", "latest", "--depth", "0", "--dir", dir]);
    expect(depth.code).toBe(1);
    expect(depth.stderr).toMatch(/--depth expects a whole number from 1 .* got "0"/);
    const none = await runCli(["show", "latest", "--dir", tempDir()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no sessions in .* to pick "latest" from/);
  });
});

describe("runtrace tail", () => {
  it("follows a running session until it ends (plain output off a terminal)", async () => {
    const live = tempDir();
    const writer = spawn(process.execPath, [join(FIXTURES, "live-session.mjs")], {
      env: { ...process.env, RUNTRACE_DIR: live },
      stdio: "ignore",
    });
    const tail = spawn(process.execPath, [CLI, "tail", "--dir", live], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    tail.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    const code = await new Promise<number | null>((resolve) => tail.on("exit", resolve));
    writer.kill();
    expect(code).toBe(0);
    expect(out).toMatch(/Following live-fixture \(/);
    expect(out).toMatch(/running 1 · done \d · failed 0/);
    expect(out).toMatch(/✓ live-fixture \[session\][\s\S]*└─ ✓ step \[tool\]/);
    expect(out.trimEnd().split("\n").at(-1)).toMatch(/^Session ok in 1\.\d+ s: 6 calls, 0 failed\.$/);
  });
});

describe("a directory that does not exist", () => {
  it("every command says so, where it looked and how to fix it, with exit code 1, and creates nothing", async () => {
    const missing = join(tempDir(), "nope");
    for (const args of [
      ["viz", "--port", "0"],
      ["tail"],
      ["ls"],
      ["show", "latest"],
      ["export", "latest", "--format", "html"],
    ]) {
      const { code, stdout, stderr } = await runCli([...args, "--dir", missing]);
      expect(code, args.join(" ")).toBe(1);
      expect(stdout, args.join(" ")).toBe("");
      expect(stderr, args.join(" ")).toMatch(
        new RegExp(
          `^runtrace: no directory ${missing}\\. Point --dir \\(or RUNTRACE_DIR\\) at the directory your program records its sessions in`,
        ),
      );
      // viz and tail wait for sessions, so they offer to create the directory.
      expect(stderr.includes(`add --create to create ${missing}`), args.join(" ")).toBe(
        args[0] === "viz" || args[0] === "tail",
      );
    }
    expect(existsSync(missing)).toBe(false);
    // The default directory, from where the command runs, is named as such.
    const cwd = tempDir();
    const fromDefault = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, "ls"], { cwd, env: { ...process.env, RUNTRACE_DIR: "" } });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        err += chunk;
      });
      child.on("exit", () => resolve(err));
    });
    expect(fromDefault).toContain(
      `no directory ${join(cwd, ".runtrace")} (the default: .runtrace in the current directory)`,
    );
    // A file path needs no directory.
    const file = await runCli(["show", join(dir, `${warmId}.jsonl`), "--dir", missing]);
    expect(file.code).toBe(0);
  });

  it("runtrace viz --create creates it and serves the sessions recorded there", async () => {
    const missing = join(tempDir(), "new", "traces");
    const viz = spawn(process.execPath, [CLI, "viz", "--create", "--port", "0", "--dir", missing]);
    try {
      let out = "";
      viz.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
      });
      const url = await waitFor(() => /runtrace viewer: (\S+)/.exec(out)?.[1]);
      // The "Created" line follows the URL line, possibly in a later chunk.
      const created = `Created ${missing}: sessions recorded there will appear as they start.`;
      await waitFor(() => (out.includes(created) ? true : undefined));
      expect(out).toContain(created);
      const id = await recordWarmUp(missing);
      const list = (await (await fetch(new URL("/api/sessions", url))).json()) as {
        sessions: { id: string }[];
      };
      expect(list.sessions.map((s) => s.id)).toEqual([id]);
    } finally {
      viz.kill("SIGTERM");
    }
  });
});
