import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Reads what was appended to a log file since the last read, in whole lines. A position is the
 * file's inode and a byte offset: Asterisk's log rotation (`logger rotate`) renames queue_log and
 * starts a new file, so a changed inode means "finish the renamed file (found by its inode next to
 * the new one), then read the new file from its start"; a file shorter than the offset was
 * truncated in place and is read again from its start.
 */

export interface LogPosition {
  inode: number;
  offset: number;
}

export interface LogChunk {
  /** Complete lines, without their newline. */
  lines: string[];
  /** Where the next read starts. */
  next: LogPosition;
  /** True when nothing more is in the file now. */
  atEnd: boolean;
  /** The rotated file holding the rest of the previous position was not found: its unread lines are lost. */
  lostRotated?: boolean;
}

/** null when the file does not exist (yet). */
export async function readLogChunk(path: string, from: LogPosition | null, maxBytes: number): Promise<LogChunk | null> {
  const current = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!current) return null;
  let lostRotated = false;
  if (from && from.inode !== current.ino) {
    const rotated = await findByInode(path, from.inode);
    if (rotated && rotated.size > from.offset) {
      const chunk = await readLines(rotated.path, from.offset, rotated.size, maxBytes);
      if (chunk.bytes > 0) return { lines: chunk.lines, next: { inode: from.inode, offset: from.offset + chunk.bytes }, atEnd: false };
    }
    lostRotated = !rotated;
    from = null;
  }
  const start = from && from.offset <= current.size ? from.offset : 0;
  const chunk = await readLines(path, start, current.size, maxBytes);
  const next = { inode: Number(current.ino), offset: start + chunk.bytes };
  return { lines: chunk.lines, next, atEnd: next.offset >= current.size || chunk.bytes === 0, ...(lostRotated ? { lostRotated } : {}) };
}

/** Whole lines between `from` and `size`, at most `maxBytes` (a longer single line is taken whole). */
async function readLines(path: string, from: number, size: number, maxBytes: number): Promise<{ lines: string[]; bytes: number }> {
  if (size <= from) return { lines: [], bytes: 0 };
  const fh = await open(path, 'r');
  try {
    let want = Math.min(size - from, maxBytes);
    for (;;) {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, from);
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end !== -1) {
        const text = buf.subarray(0, end).toString('utf8');
        return { lines: text.split('\n').map((l) => l.replace(/\r$/, '')), bytes: end + 1 };
      }
      // No newline yet: a line still being written, or one longer than maxBytes.
      if (want >= size - from) return { lines: [], bytes: 0 };
      want = Math.min(size - from, want * 2);
    }
  } finally {
    await fh.close();
  }
}

async function findByInode(path: string, inode: number): Promise<{ path: string; size: number } | null> {
  const dir = dirname(path);
  const name = basename(path);
  const siblings = await readdir(dir).catch(() => [] as string[]);
  for (const s of siblings) {
    if (s === name || !s.startsWith(name)) continue;
    const st = await stat(join(dir, s)).catch(() => null);
    if (st && st.isFile() && Number(st.ino) === inode) return { path: join(dir, s), size: st.size };
  }
  return null;
}
