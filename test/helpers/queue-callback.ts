import type { CallerHandle } from '../../sim/ari/script';

/** Resolves when the caller starts hearing `key` (a Cantonese prompt). */
export function hears(caller: CallerHandle, key: string): Promise<void> {
  const media = `sound:hotline/yue/${key}`;
  return new Promise((resolve) => {
    if (caller.heard().some((e) => e.kind === 'playback' && e.media === media)) return resolve();
    const on = (e: { kind: string; media?: string }) => {
      if (e.kind !== 'playback' || e.media !== media) return;
      caller.off('heard', on);
      resolve();
    };
    caller.on('heard', on);
  });
}

/** Keys pressed one after the other, as a caller does. */
export async function press(caller: CallerHandle, keys: string): Promise<void> {
  for (const k of keys) {
    caller.sendDtmf(k);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits for the queue callback offer, presses 1, then answers the number question with `keys` (1 = confirm). */
export async function chooseCallback(caller: CallerHandle, keys: string): Promise<void> {
  await hears(caller, 'queue-callback-offer');
  caller.sendDtmf('1');
  await hears(caller, 'queue-callback-confirm');
  await press(caller, keys);
}
