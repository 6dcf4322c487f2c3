import pino from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

/** `destination`: where the lines go (default stdout, JSON); the demo hands in a human-readable stream. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ID'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { node: config.NODE_ID },
    redact: ['password', 'passwordHash', '*.password', '*.passwordHash', 'token', '*.token'],
  };
  return destination ? pino(options, destination) : pino(options);
}
