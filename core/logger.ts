import pino from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ID'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { node: config.NODE_ID },
    redact: ['password', 'passwordHash', '*.password', '*.passwordHash', 'token', '*.token'],
  });
}
