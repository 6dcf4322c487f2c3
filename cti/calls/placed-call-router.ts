import type { AriEvent } from '../ari/events';

/**
 * Calls the CTI places itself (notice calls, callback calls) in the hotline's Stasis app:
 * HotlineApp hands every event to each router first, and sweeps them with its own calls.
 */
export interface PlacedCallRouter {
  /** Handles the event when it belongs to one of its calls; null when it does not. */
  route(e: AriEvent): Promise<void> | null;
  /** The events socket was down: playback waits whose end may have been lost are let go. */
  interrupted(): number;
  /** On every sweep: the calls of processes that stopped beating are taken over, once. */
  sweep(alive: (node: string) => Promise<boolean>): Promise<number>;
  /** At start-up: the calls this node ran before it restarted are taken over, once. */
  recoverOwn(): Promise<number>;
}
