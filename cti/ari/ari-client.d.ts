// The slice of ari-client 2.2.0 (untyped) that cti/ari uses. Only cti/ari imports the module.
declare module 'ari-client' {
  import { EventEmitter } from 'node:events';
  import type WebSocket from 'ws';

  type Params = Record<string, string | number | boolean | undefined>;
  type Op<R = unknown> = (params?: Params) => Promise<R>;
  interface Identified {
    id: string;
  }

  export interface AriClient extends EventEmitter {
    _ws?: WebSocket;
    start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
    stop(): void;
    ping(): void;
    asterisk: { ping: Op; getInfo: Op };
    applications: { list: Op<Array<{ name: string }>>; subscribe: Op<unknown> };
    channels: {
      list: Op<Array<{ id: string; name: string; state: string }>>;
      get: Op<{ id: string; state: string }>;
      originate: Op<Identified>;
      answer: Op<void>;
      hangup: Op<void>;
      play: Op<Identified>;
      startMoh: Op<void>;
      stopMoh: Op<void>;
      ring: Op<void>;
      snoopChannelWithId: Op<Identified>;
    };
    bridges: {
      list: Op<Array<{ id: string; channels: string[] }>>;
      get: Op<{ id: string; channels: string[] }>;
      create: Op<Identified>;
      destroy: Op<void>;
      addChannel: Op<void>;
      removeChannel: Op<void>;
      startMoh: Op<void>;
      stopMoh: Op<void>;
      record: Op<{ name: string }>;
      play: Op<Identified>;
    };
    playbacks: { stop: Op<void> };
    recordings: { stop: Op<void>; getStored: Op<{ name: string }> };
    events: { [op: string]: Op<void> };
  }

  export function connect(url: string, user: string, pass: string): Promise<AriClient>;
}
