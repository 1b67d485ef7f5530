// A local chat client as the page is one: it signs in (a demo identity while only the demo county exists, or an
// invite code), keeps the session cookie, and posts JSON from the page's own origin.
export interface LocalAnswer {
  status: number;
  json: Record<string, unknown>;
}

export class LocalChatClient {
  private cookie = '';

  constructor(readonly base: string) {}

  /** Signs in as a seeded demo staff member. */
  static async demo(base: string, staffId: number): Promise<LocalChatClient> {
    const client = new LocalChatClient(base);
    const answer = await client.post('/api/local/session/demo', { staff: staffId });
    if (answer.status !== 200) throw new Error(`demo sign-in refused: ${answer.status} ${JSON.stringify(answer.json)}`);
    return client;
  }

  /** Signs in with an invite code; the answer says whether it worked. */
  async signIn(code: string): Promise<LocalAnswer> {
    return this.post('/api/local/session', { code });
  }

  /** The same browser at another address of the service (a restart on a new port): cookies ignore ports. */
  at(base: string): LocalChatClient {
    const moved = new LocalChatClient(base);
    moved.cookie = this.cookie;
    return moved;
  }

  get signedIn(): boolean {
    return this.cookie !== '';
  }

  send(body: Record<string, unknown>, signal?: AbortSignal): Promise<LocalAnswer> {
    return this.post('/api/local/send', body, signal);
  }

  async inbox(after = 0): Promise<LocalAnswer> {
    return this.request('GET', `/api/local/inbox?after=${after}`);
  }

  post(path: string, body: unknown, signal?: AbortSignal): Promise<LocalAnswer> {
    return this.request('POST', path, JSON.stringify(body), { 'content-type': 'application/json' }, signal);
  }

  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<LocalAnswer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { origin: this.base, ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body,
      signal,
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = /Max-Age=0/.test(setCookie) ? '' : setCookie.split(';')[0]!;
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json };
  }
}
