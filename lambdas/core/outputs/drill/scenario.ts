/**
 * `replguard-drill/v1` files: an incident to rehearse. A fleet snapshot of one account (what
 * `replguard snapshot` writes, v2, or a v1 snapshot) plus the drill: the situation, the
 * question "what do you check first?", the choices, the cause and the runbook path. Teams add
 * their own by wrapping a captured snapshot.
 */
// A namespace import lets esbuild drop the parts of zod the schema does not use (its locales alone are 250 KB).
import * as z from 'zod';
import { FINDING_CODES } from '../../findings';
import type { FleetSnapshot } from '../../fleet/model';
import { accountFleet, parseOrgSnapshot, SnapshotError } from '../../fleet/snapshot';

export const DRILL_FORMAT = 'replguard-drill/v1';

/** A scenario that cannot be found or read; a kind of snapshot-file error, so the CLI exits 2 with the message only. */
export class DrillError extends SnapshotError {}

const code = z.enum(FINDING_CODES);
const drillSchema = z.strictObject({
  title: z.string().min(1),
  situation: z.string().min(1),
  question: z.string().min(1),
  choices: z.array(z.string().min(1)).min(2),
  /** 1-based: what the drill reads out as "check this first". */
  answer: z.number().int().positive(),
  why: z.string().min(1),
  cause: z.string().min(1),
  runbookPath: z.array(z.strictObject({ section: code, step: z.string().min(1) })).min(1),
  /** The findings the engine must raise on this snapshot for the answer to hold. */
  expect: z.array(z.strictObject({ code, resource: z.string().min(1), severity: z.enum(['critical', 'warning', 'info']).optional() })),
  expectDr: z.array(z.strictObject({ primary: z.string().min(1), ready: z.union([z.boolean(), z.literal('unknown')]) })).optional(),
  /** For incidents told by a CloudWatch alarm rather than by a finding (the checker itself stopped). */
  alarm: z
    .strictObject({ name: z.string().min(1), region: z.string().min(1), description: z.string().min(1), reason: z.string().min(1) })
    .optional(),
});

const fileSchema = z.strictObject({
  format: z.literal(DRILL_FORMAT, { message: `must be "${DRILL_FORMAT}"` }),
  drill: drillSchema,
  snapshot: z.unknown(),
});

export type DrillSpec = z.infer<typeof drillSchema>;

export interface DrillScenario {
  /** File name without `.json`, e.g. `duplicate-key`. */
  readonly name: string;
  readonly drill: DrillSpec;
  readonly snapshot: FleetSnapshot;
}

export function parseDrill(text: string, name: string, source: string): DrillScenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DrillError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new DrillError(`Invalid ${DRILL_FORMAT} file ${source}:\n${lines.join('\n')}`);
  }
  const { drill } = result.data;
  if (drill.answer > drill.choices.length) {
    throw new DrillError(`Invalid ${DRILL_FORMAT} file ${source}:\n  drill.answer: ${drill.answer} but there are ${drill.choices.length} choices`);
  }
  let snapshot: FleetSnapshot;
  try {
    // What `replguard snapshot` writes (v2) or a v1 file; a drill rehearses one account.
    const org = parseOrgSnapshot(result.data.snapshot, `${source} (snapshot)`);
    const ids = Object.keys(org.accounts).sort();
    if (ids.length !== 1) throw new SnapshotError(`${source} (snapshot) holds ${ids.length} accounts (${ids.join(', ')}): a drill rehearses one account.`);
    snapshot = accountFleet(org, ids[0]!);
  } catch (error) {
    if (error instanceof SnapshotError) throw new DrillError(error.message);
    throw error;
  }
  return { name, drill, snapshot };
}
