import { Writable } from 'node:stream';
import pino from 'pino';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A pino logger that keeps every line (parsed), so a test can say what was logged at which level. */
export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  readonly logger = pino(
    { level: 'debug' },
    new Writable({
      write: (chunk: Buffer, _enc, done) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          this.raw.push(line);
          this.lines.push(JSON.parse(line) as LogLine);
        }
        done();
      },
    }),
  );

  messages(level?: keyof typeof LEVEL): string[] {
    return this.lines.filter((l) => !level || l.level === LEVEL[level]).map((l) => l.msg);
  }
}
