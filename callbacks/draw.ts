import { createHash } from 'node:crypto';
import type { CallbackMethod } from '../models/enums';

/** Art. 22 (一): 95 % of after-sales callbacks by SMS, 5 % by phone. */
export const SMS_SHARE = 0.95;

export interface Draw {
  seed: string;
  /** In [0, 1): the first 32 bits of SHA-256(seed) over 2³². */
  roll: number;
  smsShare: number;
  method: CallbackMethod;
}

/** In [0, 1): the first 32 bits of SHA-256(seed) over 2³² (the after-sales draw, the engineering sample). */
export function rollOf(seed: string): number {
  return createHash('sha256').update(seed, 'utf8').digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The SMS-or-phone draw of one after-sales callback. Seeded by the order (its number, and the
 * round for an order reopened and completed again), so anyone can redo it from the stored seed:
 * the same order always draws the same way, whichever process or retry makes the callback.
 */
export function drawMethod(seed: string, smsShare = SMS_SHARE): Draw {
  const roll = rollOf(seed);
  return { seed, roll, smsShare, method: roll < smsShare ? 'sms' : 'phone' };
}
