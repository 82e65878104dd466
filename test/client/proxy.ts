/**
 * A TCP proxy on 127.0.0.1 for fault tests: it forwards bytes between a client
 * and an upstream port until told to stall, and then passes nothing (in both
 * directions, or client to server only) without closing anything, as a
 * network that silently died would.
 */
import { createServer, connect as tcp, type AddressInfo, type Server, type Socket } from 'node:net';

export type Stall = 'both' | 'up' | null;

interface Link {
  client: Socket;
  upstream: Socket;
  /** What this connection no longer passes: both directions, client to server only, or nothing. */
  stalled: Stall;
}

export interface Proxy {
  /** `http://127.0.0.1:PORT`, for `connect()`. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Bytes forwarded from clients to the server so far. */
  readonly bytesUp: number;
  /**
   * Stops forwarding on every open connection, and on those accepted until
   * {@link resume}: `'both'` passes nothing, `'up'` passes only server to client.
   * Nothing is closed; bytes sent meanwhile are lost.
   */
  stall(direction?: 'both' | 'up'): void;
  /** New connections forward again; those stalled stay dead, as after a network change. */
  resume(): void;
  close(): Promise<void>;
}

export async function startProxy(upstreamPort: number): Promise<Proxy> {
  const links = new Set<Link>();
  let mode: Stall = null;
  let accepted = 0;
  let bytesUp = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = tcp(upstreamPort, '127.0.0.1');
    const link: Link = { client, upstream, stalled: mode };
    links.add(link);
    client.on('data', (bytes) => {
      if (link.stalled) return;
      bytesUp += bytes.length;
      upstream.write(bytes);
    });
    upstream.on('data', (bytes) => {
      if (link.stalled !== 'both') client.write(bytes);
    });
    // A healthy link passes a close on; a dead one does not.
    const end = (other: Socket) => () => {
      if (!link.stalled) other.destroy();
    };
    client.on('close', end(upstream));
    upstream.on('close', end(client));
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get bytesUp() {
      return bytesUp;
    },
    stall(direction = 'both') {
      mode = direction;
      for (const link of links) link.stalled = direction;
    },
    resume() {
      mode = null;
    },
    async close() {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
