import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Asterisk's queue_log text format (`<astlogdir>/queue_log`, trace ami/06): one line per event,
 * `epoch seconds|call id|queue|agent|EVENT|data…`, the call id being the caller's Uniqueid
 * (`NONE` for lines that belong to no call) and the agent `NONE` for the caller's own events.
 */
export function queueLogLine(
  epochSec: number,
  callId: string,
  queue: string,
  agent: string,
  event: string,
  data: ReadonlyArray<string | number>,
): string {
  return [String(Math.floor(epochSec)), callId, queue, agent, event, ...data.map(String)].join('|');
}

/** Appends lines as Asterisk does: whole lines, in order, to a file that may be read meanwhile. */
export class QueueLogWriter {
  constructor(private readonly path: string | undefined) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }

  append(line: string): void {
    if (!this.path) return;
    // Synchronous so a reader never sees a line before the ones written earlier.
    appendFileSync(this.path, `${line}\n`);
  }
}
