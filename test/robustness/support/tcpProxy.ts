// A TCP proxy on loopback in front of PostgreSQL that a test can cut and restore — a database outage without
// touching the machine's PostgreSQL. Cut: open connections die and the port refuses new ones, as when the server
// stops; restore: the same port accepts and forwards again.
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
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
      client.pipe(upstream);
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

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cutOff();
  }
}
