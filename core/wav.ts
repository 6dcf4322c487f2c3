import { readFileSync } from 'node:fs';

/** What Asterisk's `wav` format (signed linear, 8 kHz) needs from a prompt file. */
export const PROMPT_FORMAT = { sampleRate: 8000, channels: 1, bitsPerSample: 16 } as const;

export interface WavInfo {
  /** 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
}

/**
 * Reads the RIFF/WAVE header by walking the chunks, since encoders may put LIST/fact chunks
 * between `fmt ` and `data`. Throws on anything that is not a WAVE file.
 */
export function parseWavHeader(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'dataBytes' | 'durationMs'> | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error('truncated fmt chunk');
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      // A streaming encoder may leave the size at 0xFFFFFFFF; trust the file length then.
      const dataBytes = Math.min(size, buf.length - body);
      const bytesPerSecond = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
      const durationMs = bytesPerSecond > 0 ? Math.round((dataBytes / bytesPerSecond) * 1000) : 0;
      return { ...fmt, dataBytes, durationMs };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  throw new Error('no data chunk');
}

/** 8 kHz mono 16-bit PCM WAV of silence lasting `durationMs` (the simulator's recordings). */
export function silentWav(durationMs: number, sampleRate = 8000): Buffer {
  const samples = Math.max(0, Math.round((durationMs * sampleRate) / 1000));
  const dataBytes = samples * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

/** Exact duration in ms of a PCM WAV buffer. */
export function wavDurationMs(buf: Buffer): number {
  const w = parseWavHeader(buf);
  return (w.dataBytes / (w.sampleRate * w.channels * (w.bitsPerSample / 8))) * 1000;
}

export function readWavInfo(file: string): WavInfo {
  return parseWavHeader(readFileSync(file));
}

export function isPromptFormat(info: WavInfo): boolean {
  return (
    info.audioFormat === 1 &&
    info.sampleRate === PROMPT_FORMAT.sampleRate &&
    info.channels === PROMPT_FORMAT.channels &&
    info.bitsPerSample === PROMPT_FORMAT.bitsPerSample
  );
}
