import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Disposition } from '../../schemas/common.js';
import { config } from '../../shared/config.js';
import { logger, maskPhone } from '../../shared/logger.js';
import type { Channel, ChannelContext } from './channel.js';

type Weighted = ReadonlyArray<readonly [Disposition, number]>;

/** Rough shares of real outbound campaigns: most calls go unanswered, few book. */
const callOutcomes: Weighted = [
  ['NO_ANSWER', 35],
  ['LEFT_VOICEMAIL', 20],
  ['CALL_AGAIN', 10],
  ['NOT_INTERESTED', 10],
  ['CALENDLY', 10],
  ['LINE_BUSY', 5],
  ['COULD_NOT_CONNECT', 5],
  ['WARM_TRANSFER', 5],
];
const textOutcomes: Weighted = [
  ['ENDED', 50],
  ['TEXT_CONSENT', 20],
  ['NO_ANSWER', 20],
  ['NOT_INTERESTED', 5],
  ['DNC', 5],
];

/**
 * The outcome of a simulated attempt. Seeded by the step execution id, so a resumed simulation
 * (after a restart) ends the same way. SIMULATOR_OUTCOME forces one disposition for every step.
 */
export function simulatedOutcome(context: ChannelContext): Disposition {
  const forced = config().SIMULATOR_OUTCOME;
  if (forced) return forced;
  const table = context.step.type === 'CALL' ? callOutcomes : textOutcomes;
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = createHash('sha256').update(context.attempt.id).digest().readUInt32BE(0) % total;
  for (const [disposition, weight] of table) {
    if (roll < weight) {
      if (disposition === 'LEFT_VOICEMAIL' && !context.step.leaveVoicemail)
        return 'VOICEMAIL_DETECTED';
      return disposition;
    }
    roll -= weight;
  }
  return 'NO_ANSWER';
}

/** The simulated provider's record of contacts: one JSON line per contact. */
function ledgerFile(): string | undefined {
  return config().SIMULATOR_LEDGER_FILE;
}

function contact(context: ChannelContext): void {
  const ledger = ledgerFile();
  if (ledger) {
    appendFileSync(
      ledger,
      `${JSON.stringify({ stepExecutionId: context.attempt.id, executionId: context.execution.id, stepIndex: context.attempt.stepIndex, at: new Date().toISOString() })}\n`
    );
  }
  logger.info('simulated contact', {
    stepExecutionId: context.attempt.id,
    type: context.step.type,
    to: maskPhone(context.execution.primaryPhone),
  });
}

/** Whether the provider already placed this attempt, as a real one answers a lookup by id. */
function alreadyContacted(attemptId: string): boolean {
  const ledger = ledgerFile();
  if (!ledger || !existsSync(ledger)) return false;
  return readFileSync(ledger, 'utf8').includes(`"stepExecutionId":"${attemptId}"`);
}

/**
 * A stand-in for the agent platform: it "contacts" the recipient, then answers a plausible
 * outcome after SIMULATOR_DELAY_MS. Each contact is appended to SIMULATOR_LEDGER_FILE when set
 * (the local runtime sets it), which is how tests prove no step was contacted twice.
 */
export const simulatorChannel: Channel = {
  name: 'simulator',
  async deliver(context) {
    contact(context);
    return undefined;
  },
  async redeliver(context) {
    if (!alreadyContacted(context.attempt.id)) contact(context);
    return undefined;
  },
  async follow(context) {
    await new Promise((resolve) => setTimeout(resolve, config().SIMULATOR_DELAY_MS));
    const disposition = simulatedOutcome(context);
    const startedAt = new Date(context.attempt.startedAt);
    const endedAt = new Date();
    return {
      disposition,
      agentCall: {
        id: `sim-${context.attempt.id}`,
        status: 'ENDED',
        callStartedAt: startedAt.toISOString(),
        callEndedAt: endedAt.toISOString(),
        callDuration: Math.max(0, Math.round((endedAt.getTime() - startedAt.getTime()) / 1000)),
        callEndedReason: disposition,
        summary: `Simulated ${context.step.type === 'CALL' ? 'call' : 'text'}: ${disposition}`,
      },
    };
  },
};
