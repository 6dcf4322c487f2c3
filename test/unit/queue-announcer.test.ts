import { expect } from 'chai';
import type { PlayResult } from '../../cti/calls/media';
import { QueueAnnouncer } from '../../cti/calls/queue-announcer';
import { queuePositionMedia, queueWaitMedia } from '../../cti/prompts/catalogue';
import type { CallState, Language } from '../../models/enums';
import { deferred, drained, type Deferred } from './deferred';

/** Records what reached the caller's channel, in order. */
class Channel {
  readonly heard: string[] = [];
  /** Set to hold the next play until the test resolves it. */
  hold?: Deferred<PlayResult>;
  played = deferred<string[]>();

  async startMoh(): Promise<void> {
    this.heard.push('moh on');
  }

  async stopMoh(): Promise<void> {
    this.heard.push('moh off');
  }

  playAll(_channelId: string, media: string[]): Promise<PlayResult> {
    this.heard.push(`play ${media.length}`);
    this.played.resolve(media);
    return this.hold?.promise ?? Promise.resolve('done');
  }
}

function announcer(o: {
  call: { state: CallState; language?: Language };
  queue?: () => Promise<Array<{ callId: string }>>;
  minutes?: number;
  everyMs?: number;
}) {
  const channel = new Channel();
  const a = new QueueAnnouncer({
    callId: 'me',
    channelId: 'ch1',
    everyMs: o.everyMs ?? 60_000,
    call: o.call,
    callerGone: new AbortController().signal,
    acd: { queued: o.queue ?? (async () => [{ callId: 'other' }, { callId: 'me' }]) },
    ...(o.minutes !== undefined ? { waitEstimate: { minutes: async () => o.minutes } } : {}),
    ari: channel,
    media: channel,
  });
  return { a, channel };
}

describe('queue announcer', () => {
  it('tells a queued caller their place and the wait, with the music off around it', async () => {
    const { a, channel } = announcer({ call: { state: 'queued', language: 'cmn' }, minutes: 4 });
    await a.announce();
    a.cancel();
    expect(await channel.played.promise).to.deep.equal([...queuePositionMedia(2, 'cmn'), ...queueWaitMedia(4, 'cmn')]);
    expect(channel.heard[0]).to.equal('moh off');
    expect(channel.heard.at(-1)).to.equal('moh on');
  });

  it('gives the place only when there is no wait estimate', async () => {
    const { a, channel } = announcer({ call: { state: 'queued', language: 'yue' } });
    await a.announce();
    a.cancel();
    expect(await channel.played.promise).to.deep.equal(queuePositionMedia(2, 'yue'));
  });

  it('says nothing when the call left the queue while its place was looked up', async () => {
    const call: { state: CallState; language?: Language } = { state: 'queued', language: 'yue' };
    const queue = deferred<Array<{ callId: string }>>();
    const { a, channel } = announcer({ call, queue: () => queue.promise });
    const done = a.announce();
    call.state = 'ringing';
    queue.resolve([{ callId: 'me' }]);
    await done;
    expect(channel.heard).to.deep.equal([]);
  });

  it('says nothing for a call not in the queue, or not queued, or with no language yet', async () => {
    for (const o of [
      { call: { state: 'queued' as const, language: 'yue' as const }, queue: async () => [{ callId: 'other' }] },
      { call: { state: 'ringing' as const, language: 'yue' as const } },
      { call: { state: 'queued' as const } },
    ]) {
      const { a, channel } = announcer(o);
      await a.announce();
      expect(channel.heard, JSON.stringify(o.call)).to.deep.equal([]);
    }
  });

  it('leaves the music off when the call left the queue during the announcement (an agent answered)', async () => {
    const call: { state: CallState; language?: Language } = { state: 'queued', language: 'yue' };
    const { a, channel } = announcer({ call });
    channel.hold = deferred<PlayResult>();
    const done = a.announce();
    await channel.played.promise;
    call.state = 'ringing';
    channel.hold.resolve('done');
    await done;
    expect(channel.heard).to.deep.equal(['moh off', 'play 3']);
  });

  it('announces again every everyMs while the call stays queued', async () => {
    const call: { state: CallState; language?: Language } = { state: 'queued', language: 'yue' };
    const { a, channel } = announcer({ call, everyMs: 1 });
    a.schedule();
    await channel.played.promise;
    channel.played = deferred<string[]>();
    await channel.played.promise;
    // Out of the queue, the announcement in progress schedules no other.
    call.state = 'ringing';
    await drained();
    a.cancel();
    expect(channel.heard).to.deep.equal(['moh off', 'play 3', 'moh on', 'moh off', 'play 3']);
  });
});
