import { createHash } from 'node:crypto';

/**
 * Which live process should claim a broadcast call (StasisBroadcast offers it to every app and the
 * first claim wins). Left to the race, the process whose socket hears first wins nearly every call;
 * instead every process computes the same choice from the channel id and the list of live
 * processes (rendezvous hashing), so calls spread evenly and a process joining or leaving moves
 * only its own share.
 */
export function preferredClaimer(channelId: string, liveNodes: readonly string[]): string | undefined {
  let best: { node: string; score: string } | undefined;
  for (const node of liveNodes) {
    const score = createHash('sha1').update(node).update('\0').update(channelId).digest('hex');
    if (!best || score > best.score || (score === best.score && node < best.node)) best = { node, score };
  }
  return best?.node;
}

/**
 * How long this process waits before it claims: at once when it is the preferred claimer (or knows
 * of no other live process), otherwise `handoffMs`, so the call is still taken when the preferred
 * process is dead, stalled or cut off from Asterisk (its mark lives on until its lease lapses).
 */
export function claimDelayMs(channelId: string, self: string, liveNodes: readonly string[], handoffMs: number): number {
  const others = liveNodes.filter((n) => n !== self);
  if (!others.length) return 0;
  return preferredClaimer(channelId, [...others, self]) === self ? 0 : handoffMs;
}
