import { afterEach, beforeEach } from "vitest";

/**
 * Collects the promise rejections nobody handled during each test of the calling file (register it
 * at the file's top level). A test asserts the array is empty where runtrace must leave none.
 */
export function collectUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });
  return unhandled;
}
