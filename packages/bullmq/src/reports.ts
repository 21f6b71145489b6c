import type { Redis } from "ioredis";
import { type AttemptReport, REPORTS_TTL_MS, reportField } from "./protocol.js";

/**
 * Writing an attempt's report: one command (a script that sets the field and the key's expiry),
 * not a MULTI of two, as it is written for every job.
 */

const WRITE_REPORT = `redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[3])`;

interface WithReportCommand {
  runtraceWriteReport(key: string, field: string, report: string, ttlMs: number): Promise<unknown>;
}

/** Defines the command on a client (once, right after it connects). */
export function defineReportCommand(redis: Redis): void {
  redis.defineCommand("runtraceWriteReport", { numberOfKeys: 1, lua: WRITE_REPORT });
}

/** Writes `report` as its attempt's field of the job's reports hash. */
export function writeReport(redis: Redis, key: string, report: AttemptReport): Promise<unknown> {
  return (redis as unknown as WithReportCommand).runtraceWriteReport(
    key,
    reportField(report.attempt),
    JSON.stringify(report),
    REPORTS_TTL_MS,
  );
}
