/**
 * Milliseconds on a monotonic clock, for measuring intervals (never a time of day).
 *
 * Not `performance.now()`: Node loads the `performance` global lazily, and its first use loads
 * perf_hooks and seven internal modules, about 0.9 ms that `dev` paid before starting the child.
 * `process.hrtime` is set up at boot.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
