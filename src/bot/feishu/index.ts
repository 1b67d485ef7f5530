export { createFeishuChannel, type FeishuChannel, type FeishuChannelDeps } from './channel.js';
export { feishuLimits } from './sender.js';
export { FeishuEventHandler, type CoreHandler } from './handler.js';
