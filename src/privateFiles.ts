// Files that hold children's data or the keys to it — the PGlite data directory, the admin token, exports — are
// the service user's alone: directories 0700, files 0600. PGlite creates its files 0666 whatever the umask
// (DESIGN.md §6), so the data directory is made private before it is opened and repaired again around each use.
import { chmodSync, closeSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** Creates the directory (and any missing parents) 0700. Parents that already exist are left as they are. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

/**
 * Sets every directory under `dir` (itself included) to 0700 and every file to 0600; symbolic links are not
 * followed. Returns how many entries had other modes, so a start can say when it had to repair.
 */
export function repairPrivateTree(dir: string): number {
  let repaired = 0;
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((stat.mode & 0o777) !== wanted) {
      chmodSync(path, wanted);
      repaired++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return repaired;
}

/** Writes a file readable by this user only — also when it existed before with a wider mode. */
export function writePrivateFile(path: string, data: Uint8Array | string): void {
  const fd = openSync(resolve(path), 'w', FILE_MODE);
  try {
    fchmodSync(fd, FILE_MODE);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } finally {
    closeSync(fd);
  }
}
