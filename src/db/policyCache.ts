// The visit policy table changes a few times a year and is read by most visit steps: it is kept in process and
// dropped when any instance changes it (`setPolicy` sends NOTIFY in the changing transaction, delivered at its
// commit) and whenever the listening connection (re)connects, as a change may have been missed meanwhile. Until the
// listener is up, every read goes to the database.
import type { PolicyRow } from '../domain/visitPolicy.js';
import type { Conn, Db } from './client.js';
import { loadPolicy, POLICY_CHANNEL } from './policy.js';

type Listener = { listen(channel: string, onNotify: () => void, onListen?: () => void): Promise<unknown> };

export class PolicyCache {
  private rows: Promise<PolicyRow[]> | undefined;
  private listening = false;

  constructor(db: Db) {
    const client = (db as unknown as { $client?: Partial<Listener> }).$client;
    if (typeof client?.listen !== 'function') return;
    const invalidate = () => {
      this.rows = undefined;
    };
    // postgres.js calls the third argument on every (re)connect; PGlite's listener lives as long as the database.
    client
      .listen(POLICY_CHANNEL, invalidate, () => {
        invalidate();
        this.listening = true;
      })
      .then(() => {
        invalidate();
        this.listening = true;
      })
      .catch(() => {});
  }

  /** The policy rows, read through `conn` when not cached. */
  read(conn: Conn): Promise<PolicyRow[]> {
    if (!this.listening) return loadPolicy(conn);
    this.rows ??= loadPolicy(conn).catch((error: unknown) => {
      this.rows = undefined;
      throw error;
    });
    return this.rows;
  }
}

const caches = new WeakMap<Db, PolicyCache>();

/** One cache (and one listener) per database, however many bots share it. */
export function policyCacheFor(db: Db): PolicyCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new PolicyCache(db);
    caches.set(db, cache);
  }
  return cache;
}
