import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  distinctPhone,
  featherExecution,
  placed,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;
let sfn: SFNClient;

// Ten simulated minutes per execution, at 60× : a run left waiting times out after about 10 s.
const TIME_SCALE = 60;
const EXECUTION_TIMEOUT_SECONDS = 600;
/** How long a record may take to be brought in line once its execution ended. */
const RECONCILED_WITHIN_MS = 60_000;

beforeAll(async () => {
  api = await bootLocalApi({
    timeScale: TIME_SCALE,
    executionTimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
  });
  // The SDK straight at the local Step Functions endpoint: what someone in the console does.
  sfn = new SFNClient({
    endpoint: process.env.SFN_ENDPOINT,
    region: 'local-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sfn?.destroy();
  await api?.runtime.stop();
});

function executionArn(executionId: string): string {
  const machine = process.env.STATE_MACHINE_ARN as string;
  return `${machine.replace(':stateMachine:', ':execution:')}:${executionId}`;
}

async function describeExecution(executionId: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(executionId) }));
}

/** A run waiting for the outcome of its first call (manual channel: nobody reports one). */
async function createCallingRun(workflowId: string, lead: string) {
  const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
    ...featherExecution,
    primaryPhone: distinctPhone(),
    customerLeadId: lead,
  });
  expect(created.status).toBe(201);
  const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
  await waitFor(
    () => api.request('GET', path),
    (run) => placed(run.body).length === 1
  );
  return { id: created.body.id as string, path };
}

function finished(path: string) {
  return waitFor(
    () => api.request('GET', path),
    (run) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.body.status),
    RECONCILED_WITHIN_MS,
    250
  );
}

describe('runs whose execution ends outside the API', () => {
  it('fails a timed-out run and a run stopped behind the API, and keeps a cancelled one CANCELLED', async () => {
    const workflowId = await createOpenWorkflow(api);
    const timedOut = await createCallingRun(workflowId, 'lead-timeout');
    const stopped = await createCallingRun(workflowId, 'lead-stopped');
    const cancelled = await createCallingRun(workflowId, 'lead-cancelled');

    await sfn.send(
      new StopExecutionCommand({
        executionArn: executionArn(stopped.id),
        error: 'Operator.Stop',
        cause: 'stopped from the console',
      })
    );
    const cancel = await api.request('POST', `${cancelled.path}/cancel`);
    expect(cancel.body.status).toBe('CANCELLED');

    const stoppedRun = await finished(stopped.path);
    expect(stoppedRun.body).toMatchObject({
      status: 'FAILED',
      error: 'stopped outside the API: Operator.Stop: stopped from the console',
    });
    expect(stoppedRun.body.completedAt).toEqual(expect.any(String));

    const timedOutRun = await finished(timedOut.path);
    expect(timedOutRun.body).toMatchObject({
      status: 'FAILED',
      error: 'state machine execution timed out',
    });
    const timedOutExecution = await describeExecution(timedOut.id);
    expect(timedOutExecution.status).toBe('TIMED_OUT');
    const ranMs =
      (timedOutExecution.stopDate?.getTime() ?? 0) - (timedOutExecution.startDate?.getTime() ?? 0);
    // On the scaled clock, from the execution's start: not before its TimeoutSeconds.
    expect(ranMs).toBeGreaterThanOrEqual(EXECUTION_TIMEOUT_SECONDS * 1000);

    // Our own cancel stopped the third execution: the engine reports it ABORTED, and the
    // reconciler, having seen that end too, leaves the run as the API left it.
    expect((await describeExecution(cancelled.id)).status).toBe('ABORTED');
    await api.runtime.queues.idle();
    const cancelledRun = await api.request('GET', cancelled.path);
    expect(cancelledRun.body).toMatchObject({ status: 'CANCELLED' });
    expect(cancelledRun.body.error ?? null).toBeNull();

    const reconciler = [...api.runtime.lambdas.stats].find(([id]) =>
      id.startsWith('RunReconciler')
    );
    expect(reconciler?.[1].invocations).toBe(3);
    expect(api.runtime.queues.deadLetters).toEqual([]);
  });
});
