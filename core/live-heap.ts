import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * V8 heap in use just after the latest full (mark-compact) collection: what the process really
 * holds. RSS also counts heap the collector has not handed back yet, which V8 lets grow with the
 * load, so a soak's RSS alone cannot tell a leak from a lazy collector.
 */
let afterFull: number | null = null;
let observer: PerformanceObserver | undefined;

/** Starts watching (once per process; the observer does not keep the process alive). */
export function watchLiveHeap(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } | null }).detail?.kind;
      // Read as the observer runs, just after the collection: what was allocated since is small beside the heap.
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) afterFull = getHeapStatistics().used_heap_size;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Bytes in use after the latest full collection; before the first one, the heap in use now (an upper bound). */
export function liveHeapBytes(): number {
  return afterFull ?? getHeapStatistics().used_heap_size;
}

/** True once a full collection has been seen. */
export function liveHeapMeasured(): boolean {
  return afterFull !== null;
}
