import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1 (the SMS provider, the outage publishers): each POST's path,
 * headers and JSON body go to `take`, which answers with the status to send back.
 */
export class JsonSink {
  url = '';
  private server?: Server;

  constructor(private readonly take: (path: string, body: unknown, headers: IncomingHttpHeaders) => number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const status = this.take(req.url ?? '/', JSON.parse(raw) as unknown, req.headers);
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server?.close();
  }
}
