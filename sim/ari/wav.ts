/** Bridge recordings are stored as real files so the product's recording pipeline can read them. */
export const WAV_SAMPLE_RATE = 8000;

/** 8 kHz mono 16-bit PCM WAV of silence lasting `durationMs`. */
export function silentWav(durationMs: number): Buffer {
  const samples = Math.max(0, Math.round((durationMs * WAV_SAMPLE_RATE) / 1000));
  const dataBytes = samples * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // PCM fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(WAV_SAMPLE_RATE, 24);
  buf.writeUInt32LE(WAV_SAMPLE_RATE * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

/** Duration in ms of a PCM WAV produced by `silentWav` (used by tests and the recording pipeline). */
export function wavDurationMs(buf: Buffer): number {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF') throw new Error('not a RIFF/WAV buffer');
  const byteRate = buf.readUInt32LE(28);
  const dataBytes = buf.readUInt32LE(40);
  return (dataBytes / byteRate) * 1000;
}
