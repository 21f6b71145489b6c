/** What the bullmq benchmark's caller and worker process agree on. */
export const RAW_QUEUE = "bench-raw";
export const RT_QUEUE = "bench-rt";
export const CONCURRENCY = 50;

/** The function both workers run. */
export async function double(n: number): Promise<number> {
  return n * 2;
}
