/** Hooks for coalescing many updates into one render, and for a ticking clock. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

/**
 * Returns a function that runs `fn` once on the next frame however often it is called before
 * (with a timer as a fallback, since hidden tabs get no animation frames).
 */
export function useFrameScheduler(fn: () => void): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const pending = useRef<{ frame: number; timer: ReturnType<typeof setTimeout> } | undefined>(undefined);
  useEffect(
    () => () => {
      if (pending.current) {
        cancelAnimationFrame(pending.current.frame);
        clearTimeout(pending.current.timer);
      }
    },
    [],
  );
  return useCallback(() => {
    if (pending.current) return;
    const run = () => {
      const handles = pending.current;
      if (!handles) return;
      pending.current = undefined;
      cancelAnimationFrame(handles.frame);
      clearTimeout(handles.timer);
      latest.current();
    };
    pending.current = { frame: requestAnimationFrame(run), timer: setTimeout(run, 120) };
  }, []);
}

/** `Date.now()`, updated every `ms` while `active`. */
export function useClock(active: boolean, ms = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}

/** `value`, updated only after it has stayed the same for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
