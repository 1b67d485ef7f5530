// One small HTTP server for /healthz, webhooks, the local chat and the admin endpoint. Node's own http module:
// routes are exact paths; bodies are read with a size cap; errors never leak a stack trace.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  remoteAddress: string | undefined;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export const json = (status: number, value: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SocketInUse extends Error {
  constructor(readonly path: string) {
    super(`${path} is in use by another running process`);
  }
}

const DEFAULT_MAX_BODY = 256 * 1024;

export class HttpServer {
  private readonly routes = new Map<string, { handler: RouteHandler; maxBody: number }>();
  private server: Server | undefined;

  constructor(private readonly logger: Logger) {}

  route(method: string, path: string, handler: RouteHandler, options: { maxBody?: number } = {}): this {
    this.routes.set(`${method} ${path}`, { handler, maxBody: options.maxBody ?? DEFAULT_MAX_BODY });
    return this;
  }

  async listen(port: number, host: string): Promise<number> {
    const server = await this.start((s, done) => s.listen(port, host, done));
    return (server.address() as AddressInfo).port;
  }

  /**
   * Serves on a Unix socket only this user may connect to (0600). A socket file left by a process that died is
   * replaced; one that still answers belongs to a live process and is refused.
   */
  async listenOnSocket(path: string): Promise<void> {
    if (existsSync(path)) {
      if (await socketAnswers(path)) throw new SocketInUse(path);
      unlinkSync(path);
    }
    await this.start((s, done) => s.listen(path, done));
    chmodSync(path, 0o600);
  }

  private async start(listen: (server: Server, done: () => void) => void): Promise<Server> {
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      listen(server, () => resolve());
    });
    return server;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: HttpResponse;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = this.routes.get(`${req.method} ${url.pathname}`);
      if (!route) {
        const pathKnown = [...this.routes.keys()].some((key) => key.endsWith(` ${url.pathname}`));
        response = json(pathKnown ? 405 : 404, { error: pathKnown ? 'method not allowed' : 'not found' });
      } else {
        const body = await readBody(req, route.maxBody);
        response = await route.handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          remoteAddress: req.socket.remoteAddress,
        });
      }
    } catch (error) {
      if (error instanceof HttpError) response = json(error.status, { error: error.message });
      else {
        this.logger.error({ err: error, path: req.url }, 'http handler failed');
        response = json(500, { error: 'internal error' });
      }
    }
    if (res.headersSent) return;
    res.writeHead(response.status, response.headers ?? {});
    res.end(response.body ?? '');
  }
}

function readBody(req: IncomingMessage, maxBody: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      req.resume();
      reject(new HttpError(413, 'payload too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'payload too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON body or answers 400. */
export function jsonBody(req: HttpRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid JSON');
  }
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
