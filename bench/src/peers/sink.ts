import { type ChildProcess, fork } from "node:child_process";

/** What the local backend received since the last count. */
export interface Received {
  /** OTLP spans. */
  spans: number;
  /** Distinct LangSmith runs. */
  runs: number;
}

/** The local backend (sink-process.ts) running in a child process. */
export interface Sink {
  /** Its base URL on 127.0.0.1. */
  url: string;
  /** What arrived since the previous call (and starts counting anew). */
  take(): Promise<Received>;
  /**
   * Resolves once `count` spans or runs have arrived since the last `take` (or after 5 s): whether
   * it had to wait for them, and whether they all came.
   */
  waitFor(what: keyof Received, count: number): Promise<{ waited: boolean; reached: boolean }>;
  close(): void;
}

export async function startSink(): Promise<Sink> {
  const child: ChildProcess = fork(new URL("./sink-process.js", import.meta.url), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { url: string }).url));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the sink process exited with code ${code}`)));
  });
  return {
    url,
    async take() {
      const response = await fetch(`${url}/count`);
      return (await response.json()) as Received;
    },
    async waitFor(what, count) {
      const response = await fetch(`${url}/wait?${what}=${count}`);
      return (await response.json()) as { waited: boolean; reached: boolean };
    },
    close() {
      child.disconnect();
    },
  };
}
