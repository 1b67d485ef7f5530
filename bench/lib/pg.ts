// A throwaway database on the real PostgreSQL server for one bench run; dropped afterwards.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server's default database. */
export const benchServerUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  url: string;
  name: string;
  version: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(prefix = 'cw_bench'): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(benchServerUrl, { max: 1, onnotice: () => {} });
  let version: string;
  try {
    await admin.unsafe(`create database ${name}`);
    const [row] = await admin<{ server_version: string }[]>`show server_version`;
    version = row!.server_version;
  } finally {
    await admin.end();
  }
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    version,
    async drop() {
      const a = postgres(benchServerUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
