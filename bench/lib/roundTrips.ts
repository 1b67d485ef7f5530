// Counts round trips, not only statements: a TCP proxy on loopback in front of PostgreSQL that counts, per
// connection, each time the client starts sending again after the server has answered. Statements pipelined in one
// write (or in writes sent before any answer) are one round trip; a describe-then-execute statement is two. It also
// counts the statements executed (protocol messages Query and Execute), whatever the driver.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class RoundTripCounter {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private trips = 0;
  private statements = 0;

  constructor(private readonly target: URL) {}

  /** The URL to connect through (the same database, via the proxy). */
  async start(): Promise<string> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
      // Without TCP_NODELAY the proxy itself would stall: an answer arriving in two pieces is forwarded as two writes,
      // the second held by Nagle until the client ACKs the first, which the client delays (up to 40 ms) while it
      // waits for the rest of the answer. Neither driver sees that stall without the proxy.
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      let lastFromClient = false;
      const messages = new FrontendMessages((type) => {
        if (type === 'Q' || type === 'E') this.statements++;
      });
      client.on('data', (chunk: Buffer) => {
        if (!lastFromClient) this.trips++;
        lastFromClient = true;
        messages.push(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        lastFromClient = false;
        client.write(chunk);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(this.target);
    url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    return url.toString();
  }

  /** Round trips and statements since the last call. */
  take(): { roundTrips: number; statements: number } {
    const taken = { roundTrips: this.trips, statements: this.statements };
    this.trips = 0;
    this.statements = 0;
    return taken;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Splits the client's byte stream into protocol messages (the first one, the startup message, has no type byte). */
class FrontendMessages {
  private buffer = Buffer.alloc(0);
  private started = false;

  constructor(private readonly onMessage: (type: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        // An SSLRequest is answered with one byte, then the real startup message follows.
        this.started = this.buffer.readInt32BE(4) !== 80877103;
        this.buffer = this.buffer.subarray(length);
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < length + 1) return;
      this.onMessage(String.fromCharCode(this.buffer[0]!));
      this.buffer = this.buffer.subarray(length + 1);
    }
  }
}
