// The service as a child process (`tsx src/main.ts`), as it runs in production: started, killed with SIGKILL
// (no chance to clean up), started again on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LocalChatClient, type LocalAnswer } from '../../support/localChat.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  output = '';
  private chat: LocalChatClient | undefined;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the service and waits until /healthz answers 200. */
  async start(): Promise<void> {
    // node runs tsx's CLI directly (no npm, no shell), so the pid is the service's and SIGKILL reaches it.
    const child = spawn(process.execPath, [tsx, 'src/main.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(this.port), LOCAL_CHAT: '1', TELEGRAM_BOT_TOKEN: '', FEISHU_APP_ID: '', ...this.env },
    });
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}): ${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`the service did not answer /healthz in 30 s: ${this.output.slice(-2000)}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(500) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL to the whole process group (tsx runs the service in a child of its own); waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
    // The grandchild may outlive the group leader by a moment: wait until the port is free again.
    for (let i = 0; i < 200; i++) {
      try {
        await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(200) });
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Signs the local chat in as a demo staff member; the session (a database row) outlives restarts. */
  async signIn(staffId: number): Promise<void> {
    this.chat = await LocalChatClient.demo(this.url, staffId);
  }

  /** POST /api/local/send as the signed-in person; `undefined` when the connection broke (the process died under the request). */
  async send(body: Record<string, unknown>): Promise<LocalAnswer | undefined> {
    if (!this.chat) throw new Error('signIn first');
    try {
      return await this.chat.send(body, AbortSignal.timeout(15_000));
    } catch {
      return undefined;
    }
  }
}
