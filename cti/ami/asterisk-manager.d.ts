/**
 * Just the part of asterisk-manager 0.2.0 (no bundled types) that cti/ami/client.ts uses.
 * Behaviour worth knowing when reading the declarations:
 * - calling the factory with a truthy port connects and logs in at once and swallows a
 *   login failure; the client passes port 0 and calls connect()/login() itself;
 * - parsed messages have their keys trimmed and lower-cased; a repeated key becomes an array,
 *   `Variable`/`ChanVariable` become objects;
 * - action(): request keys are lower-cased then capitalised, the id is taken from the
 *   lower-case `actionid` key only; the callback is bound with once(<actionid>) and never
 *   times out; non-login actions sent before login are held, silently, forever.
 */
declare module 'asterisk-manager' {
  namespace AsteriskManager {
    type MessageValue = string | string[] | Record<string, string>;
    type Message = Record<string, MessageValue | undefined>;
    type ActionRequest = Record<string, string | number | boolean | string[] | undefined>;
    /** `err` is the whole message when its `Response` is `Error`. */
    type ActionCallback = (err: Message | undefined, res: Message) => void;

    interface Manager {
      on(event: 'managerevent' | 'response', listener: (msg: Message) => void): Manager;
      on(event: 'error', listener: (err: Error) => void): Manager;
      on(event: 'connect' | 'close' | 'end', listener: () => void): Manager;
      once(event: 'connect' | 'close' | 'end', listener: () => void): Manager;
      removeAllListeners(event?: string): Manager;
      connect(port: number, host: string, callback?: (err: null) => void): void;
      login(callback: (err?: Message) => void): void;
      action(request: ActionRequest, callback: ActionCallback): string;
      disconnect(callback?: () => void): void;
      isConnected(): boolean;
    }
  }

  function AsteriskManager(
    port?: number,
    host?: string,
    username?: string,
    password?: string,
    events?: boolean,
  ): AsteriskManager.Manager;

  export = AsteriskManager;
}
