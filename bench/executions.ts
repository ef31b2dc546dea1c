/**
 * `npm run bench`: BENCH_EXECUTIONS (1,000) two-step runs at once through the local runtime
 * (the same API, handlers and state machine definition as on AWS), once per channel in
 * BENCH_CHANNELS (simulator,webhook), then what they cost: state transitions, Lambda
 * invocations and time, DynamoDB capacity (the table's as dynalite reports it, the index's
 * modelled, see capacity.ts), lifecycle events on the bus and SQS requests (messaging.ts),
 * priced at AWS list prices (prices.ts). BENCH_WEBHOOK_SUBSCRIBERS (0) subscribes a small local
 * receiver that many times, so each event is also delivered as a webhook. Task tokens are as long
 * as AWS's (local/task-tokens.ts), so the items that hold them have their real size. Fails
 * when a run did not complete with both steps; prints the rest.
 */
import { printFixedCosts, printMeasurement, TARGET_PER_1000 } from './report.js';
import { type BenchChannel, type Measurement, runChannel } from './run-channel.js';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 1000);
const CHANNELS = (process.env.BENCH_CHANNELS ?? 'simulator,webhook').split(',') as BenchChannel[];
const SUBSCRIBERS = Number(process.env.BENCH_WEBHOOK_SUBSCRIBERS ?? 0);

const measured: Measurement[] = [];
for (const channel of CHANNELS) measured.push(await runChannel(channel, EXECUTIONS, SUBSCRIBERS));

const totals = measured.map((m) => [m.channel, printMeasurement(m)] as const);
if (measured[0]) printFixedCosts(measured[0]);
console.log('\nPer 1,000 two-step runs:');
for (const [channel, total] of totals) {
  console.log(
    `  ${channel.padEnd(10)} $${total.toFixed(4)} ${total <= TARGET_PER_1000 ? '≤' : '>'} $${TARGET_PER_1000}`
  );
}
