// A TCP proxy on loopback in front of PostgreSQL that a test can cut and restore — a database outage without
// touching the machine's PostgreSQL. Cut: open connections die and the port refuses new ones, as when the server
// stops; restore: the same port accepts and forwards again. A tripwire cuts it off the moment a given statement is sent.
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private tripwire: { marker: Buffer; fired: () => void } | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        const trip = this.tripwire;
        if (trip && chunk.includes(trip.marker)) {
          // The statement never reaches the server: the outage begins exactly as it is sent.
          this.tripwire = undefined;
          void this.cutOff().then(trip.fired);
          return;
        }
        if (!upstream.write(chunk)) {
          client.pause();
          upstream.once('drain', () => client.resume());
        }
      });
      client.on('end', () => upstream.end());
      upstream.pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * The outage: open connections are closed (as a stopping server closes them) and the port refuses new ones.
   * With `reset`, they are reset instead (a TCP RST, as a firewall or a proxy that lost its state sends).
   */
  async cutOff(options: { reset?: boolean } = {}): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const s of this.sockets) {
      if (options.reset) s.resetAndDestroy();
      else s.destroy();
    }
    await closed;
  }

  /**
   * The outage at a chosen moment: the first statement a client sends that contains `marker` (e.g. `insert into
   * "reports"`) is dropped and everything is cut off, as if the server died as it arrived. Resolves when it fired.
   */
  cutOffOnStatement(marker: string): Promise<void> {
    return new Promise((fired) => {
      this.tripwire = { marker: Buffer.from(marker), fired };
    });
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cutOff();
  }
}
