// Feishu's webhook security, done on the raw body: the SDK signs over JSON.stringify of a re-parsed object, which
// only matches when Feishu's serialisation happens to equal Node's, and it never checks the timestamp.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** X-Lark-Signature: sha256 hex of timestamp + nonce + encryptKey + raw body. */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, body: string | Buffer): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey)
    .update(body)
    .digest('hex');
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const aesKey = (encryptKey: string): Buffer => createHash('sha256').update(encryptKey).digest();

/** AES-256-CBC with sha256(encryptKey) as key; the payload is base64 of iv (16 bytes) + ciphertext. */
export function decryptLark(encrypted: string, encryptKey: string): string {
  const bytes = Buffer.from(encrypted, 'base64');
  if (bytes.length < 32 || bytes.length % 16 !== 0) throw new Error('encrypted payload has the wrong length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), bytes.subarray(0, 16));
  return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString('utf8');
}

/** The inverse of decryptLark, as Feishu does it (used by the fake open platform in tests). */
export function encryptLark(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}
