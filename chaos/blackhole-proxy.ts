import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between the workers and PostgreSQL that can black-hole the traffic: while it does,
 * connections stay open but nothing gets through in either direction (new ones are accepted and
 * held too), as when a network path silently drops packets. Nothing is lost: held bytes flow on
 * release. The shared PostgreSQL server itself is never touched.
 */
export class BlackholeProxy {
  private server: net.Server | undefined;
  private holding = false;
  private readonly waiting: Array<() => void> = [];
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  /** Connections that were open or opened while the traffic was held. */
  heldConnections = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  hold(): void {
    this.holding = true;
    this.heldConnections = this.pairs.size;
  }

  release(): void {
    this.holding = false;
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) next();
  }

  async close(): Promise<void> {
    this.release();
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    const open = () => {
      const upstream = net.connect(this.target);
      const pair = { client, upstream };
      this.pairs.add(pair);
      upstream.on('error', () => undefined);
      this.forward(client, upstream);
      this.forward(upstream, client);
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
    };
    if (this.holding) {
      this.heldConnections += 1;
      client.pause();
      this.waiting.push(() => {
        client.resume();
        open();
      });
    } else open();
  }

  /** Copies bytes from one side to the other, queueing them while the traffic is held. */
  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!this.holding) {
        to.write(chunk);
        return;
      }
      this.waiting.push(() => to.destroyed || to.write(chunk));
    });
  }
}
