import type { PbxModel, PhoneBehaviour } from '../sim/pbx';

/** The demo's agents sit at phones 1001–1010 (extension = work number). */
export const DEMO_EXTENSIONS: readonly string[] = Array.from({ length: 10 }, (_, i) => String(1001 + i));

/** The supervisor's desk phone (listen, whisper, barge, consults); answers like a person at a desk. */
export const SUPERVISOR_EXTENSIONS: readonly string[] = ['2001'];

/** The person trying the demo is agent 1001: their phone is never picked up by the simulator. */
export const YOUR_EXTENSION = '1001';

/**
 * How each simulated phone behaves for the next call. 1001 rings until the person answers in the
 * console (接听) or the 20-second alarm stops it; 1010 lets it ring out now and then so the alarm
 * shows on the board; the rest answer after 2–8 s like people at their desks.
 */
export function demoPhoneBehaviour(extension: string, random: () => number = Math.random): PhoneBehaviour {
  if (extension === YOUR_EXTENSION) return { kind: 'no-answer' };
  if (extension === '1010' && random() < 0.3) return { kind: 'no-answer' };
  return { kind: 'answer', afterMs: 2000 + Math.round(random() * 6000) };
}

/**
 * Sets every demo phone, and rolls the simulated ones again after each call (`reroll`), so answer
 * times vary from call to call.
 */
export function setUpDemoPhones(pbx: Pick<PbxModel, 'setPhone'>, random: () => number = Math.random): { reroll(): void } {
  const roll = () => {
    for (const ext of [...DEMO_EXTENSIONS, ...SUPERVISOR_EXTENSIONS]) pbx.setPhone(ext, { behaviour: demoPhoneBehaviour(ext, random) });
  };
  roll();
  return { reroll: roll };
}
