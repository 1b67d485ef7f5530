// Photos sent from the local chat: the messengers keep a photo on their servers and give the bot a file id; the
// local chat has no such server, so the service keeps the file itself, readable by its own user only.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
export const PHOTO_FOLDER = 'local-photos';

/** Only pictures, recognised by their first bytes (never by what the browser claims). */
function pictureKind(bytes: Buffer): 'jpg' | 'png' | 'webp' | undefined {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}

/** Stores a picture under `<dataDir>/local-photos` (0700, files 0600) and returns its file id, or why not. */
export async function storePhoto(dataDir: string, bytes: Buffer): Promise<{ fileId: string } | { refused: 'tooBig' | 'notAPicture' }> {
  if (bytes.length > MAX_PHOTO_BYTES) return { refused: 'tooBig' };
  const kind = pictureKind(bytes);
  if (!kind) return { refused: 'notAPicture' };
  const folder = join(dataDir, PHOTO_FOLDER);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const name = `${randomUUID()}.${kind}`;
  await writeFile(join(folder, name), bytes, { mode: 0o600, flag: 'wx' });
  return { fileId: `local:${name}` };
}
