// What a confirmed record must look like in the database, whichever way its conversation went. Shared by the
// property tests of the flow runtime (test/robustness/properties.test.ts, entryPoints.test.ts).
import { z } from 'zod';
import { dimensionLevels, dimensions, reportSituations, riskLevels, visitKinds } from '../../src/domain/categories.js';

const day = /^\d{4}-\d{2}-\d{2}$/;

export const storedVisit = z.object({
  ref: z.string().regex(/^ZF-\d{4}-\d{6}$/),
  visitedOn: z.string().regex(day),
  kind: z.enum(visitKinds),
  childSeen: z.boolean(),
  dimensions: z.record(z.enum(dimensions), z.object({ level: z.enum(dimensionLevels), note: z.string().min(1).max(500).optional() })).refine((d) => Object.keys(d).length === dimensions.length),
  needs: z.string().max(1000).nullable(),
  helpGiven: z.string().max(1000).nullable(),
  riskBefore: z.enum(riskLevels),
  riskAfter: z.enum(riskLevels),
  nextVisitOn: z.string().regex(day),
  channel: z.literal('local'),
}).refine((v) => v.nextVisitOn > v.visitedOn, 'the next visit comes after this one');

export const storedReport = z.object({
  ref: z.string().regex(/^BG-\d{4}-\d{6}$/),
  situations: z.array(z.enum(reportSituations)).min(1),
  observed: z.string().min(1).max(2000),
  occurredWhen: z.string().min(1).max(200),
  occurredWhere: z.string().min(1).max(200),
  immediateDanger: z.boolean(),
  policeTold: z.boolean(),
  policeReceipt: z.string().max(100).nullable(),
}).refine((r) => r.policeTold || r.policeReceipt === null, 'no receipt without telling the police');

/** A report opened at "danger = yes" whose form was never finished: urgent, with its reference, left for handlers. */
export const storedDraftReport = z.object({
  ref: z.string().regex(/^BG-\d{4}-\d{6}$/),
  status: z.enum(['draft', 'acknowledged', 'closed']),
  immediateDanger: z.literal(true),
  situations: z.array(z.enum(reportSituations)),
});

export const storedRegistration = z.object({
  name: z.string().min(1).max(50),
  sex: z.enum(['male', 'female']),
  birthDate: z.string().regex(day),
  categories: z.array(z.string()).min(1),
  riskLevel: z.enum(riskLevels),
  guardianName: z.string().min(1),
  status: z.literal('pending'),
});
