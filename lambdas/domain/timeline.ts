import type {
  ControlRecord,
  Execution,
  ExecutionState,
  ScheduleDecision,
} from '../schemas/execution.js';
import type { StepAttempt } from '../schemas/step-attempt.js';
import type { TimelineEntry, TimelineEntryType, TimelineRecord } from '../schemas/timeline.js';

/**
 * A run's timeline, oldest first, from what is stored: the run's state item (creation, the
 * current schedule decision, the latest pause or resume, how it ended), its attempt items
 * (dispatch and outcome) and its timeline records (the decisions and controls that later writes
 * replaced). Pure: reading it twice gives the same entries in the same order.
 */
export function timelineOf(
  execution: Execution,
  records: TimelineRecord[],
  /** Where the current attempt waits for a pacing slot now, if it does. */
  queue?: WaitingInQueue | null
): TimelineEntry[] {
  const decisions = records.flatMap((record) =>
    record.kind === 'DECISION' ? [record.decision] : []
  );
  const controls = records.flatMap((record) => (record.kind === 'CONTROL' ? [record.control] : []));
  const current = execution.schedule;
  if (current && !decisions.some((kept) => sameDecision(kept, current))) decisions.push(current);
  const latest = execution.lastControl;
  if (latest && !controls.some((kept) => kept.count === latest.count)) controls.push(latest);
  const entries = [
    createdEntry(execution),
    ...decisions.map((decision) => decisionEntry(execution, decision)),
    ...controls.map(controlEntry),
    ...Object.values(execution.attempts).flatMap((attempt) => attemptEntries(execution, attempt)),
    ...(queue ? [waitingEntry(execution, queue)] : []),
    ...endingEntries(execution),
  ];
  return entries.sort((a, b) => compare(timelineKey(a), timelineKey(b)));
}

/** Among entries of the same instant, causes come before what they caused. */
const rankOf: Record<TimelineEntryType, number> = {
  CREATED: 0,
  QUEUED: 1,
  DISPATCHED: 1,
  OUTCOME: 2,
  PAUSED: 3,
  RESUMED: 3,
  SCHEDULED: 4,
  DEFERRED: 4,
  COMPLETED: 5,
  FAILED: 5,
  CANCELLED: 5,
};

/**
 * Where an entry sorts, as a string: its instant, its rank, then its step and attempt. Every
 * instant is stored as `toISOString()` writes it, so the strings sort as the instants do.
 */
export function timelineKey(entry: TimelineEntry): string {
  const step = String(entry.stepIndex ?? 0).padStart(4, '0');
  const attempt = String(entry.attempt ?? 0).padStart(3, '0');
  return `${entry.at}|${rankOf[entry.type]}|${step}|${attempt}|${entry.type}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameDecision(a: ScheduleDecision, b: ScheduleDecision): boolean {
  return a.decidedAt === b.decidedAt && a.stepIndex === b.stepIndex && a.attemptNo === b.attemptNo;
}

/** `2026-12-06T18:00Z` for a whole minute, the full ISO instant otherwise. */
export function formatInstant(iso: string): string {
  return iso.replace(/:00\.000Z$/, 'Z');
}

function stepLabel(execution: Execution, stepIndex: number, attemptNo?: number): string {
  const type = execution.definition.steps[stepIndex]?.type;
  const attempt = attemptNo && attemptNo > 1 ? `, attempt ${attemptNo}` : '';
  return `step ${stepIndex + 1}${type ? ` (${type})` : ''}${attempt}`;
}

function createdEntry(execution: Execution): TimelineEntry {
  const start = execution.startAt ? `; starts at ${formatInstant(execution.startAt)}` : '';
  return {
    at: execution.createdAt,
    type: 'CREATED',
    message: `created${start}`,
    ...(execution.startAt && { details: { startAt: execution.startAt } }),
  };
}

/** A schedule decision, with the rules that deferred it as the schedule check worded them. */
function decisionEntry(execution: Execution, decision: ScheduleDecision): TimelineEntry {
  const { stepIndex, attemptNo, nextRunAt, deferredBy } = decision;
  const common = {
    at: decision.decidedAt,
    stepIndex,
    ...(attemptNo !== undefined && { attempt: attemptNo }),
    details: {
      dueAt: decision.dueAt,
      nextRunAt,
      recipientZones: decision.recipientZones,
      recipientZoneSource: decision.recipientZoneSource,
    },
  };
  const when = nextRunAt ? formatInstant(nextRunAt) : 'no allowed instant';
  if (deferredBy.length > 0) {
    const rule = deferredBy.join('; ');
    return {
      ...common,
      type: 'DEFERRED',
      message: `deferred to ${when}: ${rule}`,
      rule,
      details: { ...common.details, deferredBy },
    };
  }
  return {
    ...common,
    type: 'SCHEDULED',
    message: `${stepLabel(execution, stepIndex, attemptNo)} scheduled for ${when}: allowed when due`,
  };
}

function controlEntry(control: ControlRecord): TimelineEntry {
  return {
    at: control.at,
    type: control.action,
    message: control.action === 'PAUSED' ? 'paused' : 'resumed',
  };
}

export interface WaitingInQueue {
  kind: 'CALL' | 'TEXT';
  position: number;
  since: string;
}

const slotNames = { CALL: 'call slot', TEXT: 'text slot' } as const;

/** The current attempt, still waiting for a pacing slot. */
function waitingEntry(execution: Execution, queue: WaitingInQueue): TimelineEntry {
  return {
    at: queue.since,
    type: 'QUEUED',
    stepIndex: execution.stepIndex,
    attempt: execution.attemptNo,
    message: `${stepLabel(execution, execution.stepIndex, execution.attemptNo)} waits for a ${slotNames[queue.kind]} (position ${queue.position} in its priority bucket)`,
    details: { kind: queue.kind, position: queue.position },
  };
}

/** An attempt that waited for a slot before it was dispatched. */
function queuedEntry(execution: Execution, attempt: StepAttempt, queuedAt: string): TimelineEntry {
  const kind = execution.definition.steps[attempt.stepIndex]?.type === 'TEXT' ? 'TEXT' : 'CALL';
  const waited = Math.round((Date.parse(attempt.startedAt) - Date.parse(queuedAt)) / 1000);
  return {
    at: queuedAt,
    type: 'QUEUED',
    stepIndex: attempt.stepIndex,
    stepExecutionId: attempt.id,
    attempt: attempt.attemptNo,
    message: `${stepLabel(execution, attempt.stepIndex, attempt.attemptNo)} waited ${waited} s for a ${slotNames[kind]}`,
    details: { kind, waitedSeconds: waited },
  };
}

function attemptEntries(execution: Execution, attempt: StepAttempt): TimelineEntry[] {
  const queued = attempt.queuedAt ? [queuedEntry(execution, attempt, attempt.queuedAt)] : [];
  return [...queued, ...dispatchEntries(execution, attempt)];
}

function dispatchEntries(execution: Execution, attempt: StepAttempt): TimelineEntry[] {
  const label = stepLabel(execution, attempt.stepIndex, attempt.attemptNo);
  const common = {
    stepIndex: attempt.stepIndex,
    stepExecutionId: attempt.id,
    attempt: attempt.attemptNo,
  };
  const dispatched: TimelineEntry = {
    ...common,
    at: attempt.startedAt,
    type: 'DISPATCHED',
    message: `${label} dispatched through ${attempt.channel}`,
    details: { channel: attempt.channel, handedOverAt: attempt.handedOverAt ?? null },
  };
  if (!attempt.disposition || !attempt.completedAt) return [dispatched];
  const error = attempt.error ? `: ${attempt.error}` : '';
  const outcome: TimelineEntry = {
    ...common,
    at: attempt.completedAt,
    type: 'OUTCOME',
    message: `${label} ended ${attempt.disposition}${error}`,
    details: { disposition: attempt.disposition, ...(attempt.error && { error: attempt.error }) },
  };
  return [dispatched, outcome];
}

const cancelledMessages: Record<NonNullable<ExecutionState['cancelledBy']>, string> = {
  api: 'cancelled through the API',
  phone: 'cancelled with every active run of its phone number',
  lead: 'cancelled with every active run of its lead',
  workflow: 'cancelled: its workflow was deleted',
  suppression: 'cancelled: its phone number is on the do-not-contact list',
};

/** How the run ended, when it has. */
function endingEntries(execution: Execution): TimelineEntry[] {
  const at = execution.completedAt;
  if (!at) return [];
  if (execution.status === 'COMPLETED') {
    const disposition = execution.disposition ? ` with ${execution.disposition}` : '';
    return [{ at, type: 'COMPLETED', message: `completed${disposition}` }];
  }
  if (execution.status === 'FAILED') {
    return [{ at, type: 'FAILED', message: `failed: ${execution.error ?? 'unknown error'}` }];
  }
  if (execution.status === 'CANCELLED') {
    const by = execution.cancelledBy ?? 'api';
    // A suppression's reason (which outcome or list entry) is stored as the run's error.
    const reason = by === 'suppression' && execution.error ? ` (${execution.error})` : '';
    return [
      {
        at,
        type: 'CANCELLED',
        message: `${cancelledMessages[by]}${reason}`,
        details: { cancelledBy: by },
      },
    ];
  }
  return [];
}
