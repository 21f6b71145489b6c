/** Warnings said once per key: a connection that keeps failing must not flood the log. */
const warned = new Set<string>();

export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`@runtrace/bullmq: ${message}`);
}
