// The flows the bot offers, by name (the command that starts each is its name: /visit, /report, /status …).
import { overdueFlow } from './overdue.js';
import { approveFlow, registerFlow } from './register.js';
import { reportFlow } from './report.js';
import { statusFlow } from './status.js';
import type { Flow } from './types.js';
import { visitFlow } from './visit.js';

export function defaultFlows(extra: Flow[] = []): Map<string, Flow> {
  return new Map([visitFlow, reportFlow, statusFlow, registerFlow, approveFlow, overdueFlow, ...extra].map((f) => [f.name, f]));
}
