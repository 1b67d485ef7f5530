// pino, with personal data redacted: phone and ID numbers never reach the logs.
import { pino, type Logger } from 'pino';

const redactedKeys = ['phone', 'guardianPhone', 'idNumber', 'id_number', 'guardian_phone', 'text', 'code', 'token', 'secret'];

export function createLogger(level: string = 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: [...redactedKeys, ...redactedKeys.map((k) => `*.${k}`)],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
