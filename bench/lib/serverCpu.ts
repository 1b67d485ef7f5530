// PostgreSQL's own CPU for one run: the user + system time (/proc/<pid>/stat) of the server processes serving the
// bench's database, summed over the run. Only when the server runs on this machine; otherwise undefined.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';

const ticksPerSecond = 100; // USER_HZ on Linux

function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export class ServerCpu {
  private readonly sql: postgres.Sql;

  constructor(url: string) {
    this.sql = postgres(url, { max: 1, onnotice: () => {} });
  }

  private async backends(): Promise<number[]> {
    const rows = await this.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    return rows.map((r) => r.pid);
  }

  /** Starts a measurement; the returned function gives the CPU ms the database's backends used since. */
  async start(): Promise<() => Promise<number | undefined>> {
    const before = new Map<number, number>();
    for (const pid of await this.backends()) {
      const ms = cpuMsOf(pid);
      if (ms === undefined) return async () => undefined;
      before.set(pid, ms);
    }
    return async () => {
      let total = 0;
      for (const pid of await this.backends()) {
        const ms = cpuMsOf(pid);
        if (ms !== undefined) total += ms - (before.get(pid) ?? 0);
      }
      return total;
    };
  }

  close(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}
