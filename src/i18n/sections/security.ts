// Texts of the security controls that people read: the admin CLI's note when it had to repair the data directory.
import { translator, type Catalogue } from '../translator.js';

export const security = {
  'zh-CN': {
    'dataDir.repaired': '{dir} 曾可被其他用户读取或写入：已修复为 0700/0600（{count} 项）。',
  },
  en: {
    'dataDir.repaired': '{dir} was readable or writable by other users: repaired to 0700/0600 ({count} entries).',
  },
} satisfies Catalogue<string>;

export type SecurityKey = keyof (typeof security)['zh-CN'];
export const securityText = translator<SecurityKey>(security as Catalogue<SecurityKey>);
