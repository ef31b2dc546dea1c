import { describe, expect, it } from 'vitest';
import { type Io, noIo } from '../../../bench/capacity.js';
import { noMessaging } from '../../../bench/messaging.js';
import { price } from '../../../bench/prices.js';
import { costOf } from '../../../bench/report.js';
import type { Measurement } from '../../../bench/run-channel.js';

/** The bench's price lines: what each counts, and what it leaves to the fixed costs. */

const FAN_OUT = 'LifecycleEventsFanOutWebhooksFunction9A5F8EB2';
const calls = (invocations: number) => ({ invocations, totalMs: invocations * 50 });
const reads = (readUnits: number): Io => ({ ...noIo, reads: readUnits * 2, readUnits });

/** One run: 2 Dispatch, 1 Api, 6 events fanned out with no subscription; sweeps meanwhile. */
const run: Measurement = {
  channel: 'simulator',
  executions: 1,
  attempts: 2,
  wallMs: 1000,
  createdMs: 10,
  transitions: 7,
  byState: new Map(),
  fns: new Map([
    ['ApiFunction6BF808ED', calls(1)],
    ['AuthorizerFunctionEB19F618', calls(1)],
    ['DispatchStepFunction983A8691', calls(2)],
    [FAN_OUT, calls(6)],
    ['SweepSlotsFunction7825F4BA', calls(10)],
  ]),
  calibratedMs: new Map([
    ['DispatchStepFunction983A8691', 100],
    [FAN_OUT, 10],
    ['SweepSlotsFunction7825F4BA', 40],
  ]),
  io: new Map([
    ['DispatchStepFunction983A8691', reads(8)],
    [FAN_OUT, reads(3)],
    ['SweepSlotsFunction7825F4BA', reads(50)],
  ]),
  messaging: new Map([
    ['ApiFunction6BF808ED', { ...noMessaging, events: 1, eventChunks: 1 }],
    ['DispatchStepFunction983A8691', { ...noMessaging, events: 5, eventChunks: 5 }],
  ]),
  queues: { sent: 6, received: 6, deleted: 6 },
  subscribers: 0,
  deliveries: 0,
};

describe('the bench price lines', () => {
  const cost = costOf(run);

  it('prices each event on the bus and each SQS request (send by the rule, receive, delete)', () => {
    expect(cost['EventBridge custom events (PutEvents)']).toBeCloseTo(6 * 1e-6, 12);
    expect(cost['SQS requests (1 receive + 1 delete per msg)']).toBeCloseTo(18 * 0.4e-6, 12);
  });

  it('prices the fan-out on a line of its own, and the sweeps and authorizer on none', () => {
    expect(cost['Lambda requests']).toBeCloseTo(3 * price.lambdaRequest, 12);
    expect(cost['Lambda duration (calibrated, 512 MB)']).toBeCloseTo(
      2 * 0.1 * 0.5 * price.lambdaGbSecond,
      12
    );
    expect(cost['Lambda FanOut + Deliver (requests, duration)']).toBeCloseTo(
      6 * price.lambdaRequest + 6 * 0.01 * 0.5 * price.lambdaGbSecond,
      12
    );
    expect(cost['DynamoDB reads (reported, empty at minimum)']).toBeCloseTo(8 * price.readUnit, 12);
    expect(cost['DynamoDB in FanOut + Deliver']).toBeCloseTo(3 * price.readUnit, 12);
    // Logs: every invocation billed per run (Api, Dispatch, FanOut), 1 KB each.
    expect(cost['CloudWatch Logs (~1 KB per invocation)']).toBeCloseTo(
      (9 / 1024 / 1024) * price.logGb,
      12
    );
  });
});
