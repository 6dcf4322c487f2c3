import type { DomainEvent } from '../events/domain-events';
import type { EventBus } from '../events/event-bus';
import type { PopContext } from './pop-context';
import type { PopStore } from './pops';

/**
 * The event bus as the call path publishes on it: a call.ringing leaves with its screen-pop
 * joined in, by one script that shows the pop (stores it for the agent, unless the offer has
 * ended) and publishes the event (PopStore.showAndTell). Every process then only emits the pop
 * to its consoles. Before, each process ran that script when the event reached it: between the
 * phone ringing and the pop, one more Redis round trip and one more wait for a busy event loop.
 * An end (of an offer or the call) sets its tombstone as it goes out; every other event goes
 * through unchanged. All on the same connection, so their order holds.
 */
export class RingingPopBus implements EventBus {
  constructor(
    private readonly bus: EventBus,
    private readonly pops: PopStore,
    private readonly context: PopContext,
    /** The bus's channel (AcdKeys.events()): in the pop keys' Redis Cluster slot. */
    private readonly channel: string,
  ) {}

  async publish(e: DomainEvent): Promise<void> {
    switch (e.type) {
      case 'call.ringing':
        await this.pops.showAndTell(e.agentWorkNumber, this.context.builder.ringing(e), this.context.contextKey(e.callId), this.channel, e);
        return;
      // The end's tombstone is set as it is told (the SET goes first on the same connection): a
      // ringing published after it, by this process or another, finds the offer or call over,
      // as each process found it when it applied the events in their order.
      case 'call.offer-ended':
        await Promise.all([this.pops.markGone(e.callId, e.attempt), this.bus.publish(e)]);
        return;
      case 'call.ended':
        await Promise.all([this.pops.markGone(e.callId), this.bus.publish(e)]);
        return;
      default:
        await this.bus.publish(e);
    }
  }

  subscribe(handler: (e: DomainEvent) => void): () => void {
    return this.bus.subscribe(handler);
  }

  onGap(handler: () => void): () => void {
    return this.bus.onGap(handler);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
