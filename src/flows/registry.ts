// The flows the bot offers, by name (the command that starts each is its name: /visit, /report, /status …; names
// with a dash cannot be typed: they are the short forms a report's buttons start).
import { overdueFlow } from './overdue.js';
import { approveFlow, registerFlow } from './register.js';
import { reportFlow } from './report.js';
import { reportActionFlow } from './reportAction.js';
import { reportCloseFlow } from './reportClose.js';
import { reportFollowUpFlow } from './reportFollowUp.js';
import { reportListFlow } from './reportList.js';
import { riskLowerFlow } from './riskLower.js';
import { statsFlow } from './stats.js';
import { statusFlow } from './status.js';
import type { Flow } from './types.js';
import { visitFlow } from './visit.js';

const reportHandlingFlows = [reportListFlow, reportActionFlow, reportFollowUpFlow, reportCloseFlow, riskLowerFlow];

export function defaultFlows(extra: Flow[] = []): Map<string, Flow> {
  return new Map([visitFlow, reportFlow, statusFlow, registerFlow, approveFlow, overdueFlow, statsFlow, ...reportHandlingFlows, ...extra].map((f) => [f.name, f]));
}
