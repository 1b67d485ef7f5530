// What /healthz may say about a channel to anyone who reaches the port: up or down, nothing more.
/** A channel is up when its state says it is serving; channels without a state (webhooks, the local chat) are up once started. */
export function channelUp(health: Record<string, unknown>): boolean {
  if (typeof health.state === 'string') return health.state === 'running' || health.state === 'connected';
  return health.running !== false;
}
