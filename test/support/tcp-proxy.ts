import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a server (PostgreSQL, Temporal) on a port the OS chooses, that breaks the
 * network path the ways real networks break, without touching the shared server behind it:
 * - `hold()` black-holes it: connections stay open but nothing gets through either way, and new ones
 *   are accepted and held too; `release()` lets the held bytes flow on, nothing lost.
 * - `loseAnswers()`: requests still reach the server, its answers never come back.
 * - `cut()` drops every connection and refuses new ones (the host is gone); `restore()` listens again.
 */
export interface TcpProxy {
  readonly port: number;
  /** host:port to connect to instead of the target. */
  readonly address: string;
  hold(): void;
  release(): void;
  /** Connections that were open, or opened, while the traffic was held. */
  readonly heldConnections: number;
  loseAnswers(): void;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const waiting: Array<() => void> = [];
  let holding = false;
  let losingAnswers = false;
  let heldConnections = 0;
  let server: net.Server | undefined;
  let port = 0;

  /** Copies bytes from one side to the other, queueing them while the traffic is held. */
  function forward(from: net.Socket, to: net.Socket, isAnswer: boolean): void {
    from.on('data', (chunk: Buffer) => {
      if (isAnswer && losingAnswers) return;
      if (holding) waiting.push(() => to.destroyed || to.write(chunk));
      else to.write(chunk);
    });
  }

  function accept(client: net.Socket): void {
    const open = () => {
      const upstream = net.connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      forward(client, upstream, false);
      forward(upstream, client, true);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    if (!holding) return open();
    heldConnections += 1;
    client.on('error', () => undefined);
    client.pause();
    waiting.push(() => {
      client.resume();
      open();
    });
  }

  async function listen(): Promise<void> {
    const listening = net.createServer(accept);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
  }

  async function stop(): Promise<void> {
    for (const socket of sockets) socket.destroy();
    const listening = server;
    server = undefined;
    if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
  }

  function release(): void {
    holding = false;
    for (let next = waiting.shift(); next; next = waiting.shift()) next();
  }

  await listen();
  return {
    get port() {
      return port;
    },
    get address() {
      return `127.0.0.1:${port}`;
    },
    get heldConnections() {
      return heldConnections;
    },
    hold() {
      holding = true;
      heldConnections = sockets.size / 2;
    },
    release,
    loseAnswers() {
      losingAnswers = true;
    },
    cut: stop,
    restore: listen,
    async close() {
      release();
      await stop();
    },
  };
}
