// Texts of the local chat page itself (everything in the bubbles comes from the core). Sent to the page with the
// session answer, in the signed-in person's language or the service's default.
import { translator, type Catalogue } from '../translator.js';

const zh = {
  title: '儿童关爱助手',
  send: '发送',
  message: '输入消息',
  codePlaceholder: '输入邀请码',
  demoPick: '选择演示身份…',
  demoNote: '演示模式：数据库里只有虚构的“示范县”，可以直接选择一个身份试用。导入真实数据后这个列表会消失，只能用邀请码登录。',
  signOut: '退出',
  signedOut: '已退出登录。',
  signedInAs: '已登录：{name}（{role}，{area}）',
  sessionEnded: '登录已失效，请重新输入邀请码登录。',
  demoEnded: '数据库里已有真实数据，演示身份已停用。请用邀请码登录。',
  networkError: '网络错误，消息没有送达，请重试。',
  retry: '重试',
  location: '📍 发送位置',
  photo: '📷 发送照片',
  locationFailed: '无法获取位置（{reason}）。可以直接点“完成”跳过。',
  photoTooBig: '照片太大（最大 {mb} MB）。',
  notAPicture: '只能发送 JPEG、PNG 或 WebP 照片。',
  'role.caseworker': '儿童主任',
  'role.supervisor': '督导员',
  'role.admin': '管理员',
};

const en: Record<keyof typeof zh, string> = {
  title: 'Caseworker assistant',
  send: 'Send',
  message: 'Message',
  codePlaceholder: 'Invite code',
  demoPick: 'Pick a demo identity…',
  demoNote:
    'Demo mode: the database holds only the fictional demo county, so you can pick who you are. Once real data is imported this list disappears and only invite codes sign in.',
  signOut: 'Sign out',
  signedOut: 'Signed out.',
  signedInAs: 'Signed in: {name} ({role}, {area})',
  sessionEnded: 'Your sign-in has ended; please enter an invite code to sign in again.',
  demoEnded: 'The database now holds real data, so the demo identities are switched off. Please sign in with an invite code.',
  networkError: 'Network error: the message was not delivered. Please retry.',
  retry: 'Retry',
  location: '📍 Send location',
  photo: '📷 Send photo',
  locationFailed: 'Could not get your location ({reason}). You can tap “Done” to skip.',
  photoTooBig: 'The photo is too large (at most {mb} MB).',
  notAPicture: 'Only JPEG, PNG or WebP photos can be sent.',
  'role.caseworker': 'caseworker',
  'role.supervisor': 'supervisor',
  'role.admin': 'admin',
};

export type LocalChatTextKey = keyof typeof zh;
export const localChatCatalogue: Catalogue<LocalChatTextKey> = { 'zh-CN': zh, en };
export const localChatText = translator(localChatCatalogue);
