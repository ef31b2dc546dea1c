import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { resetClients } from '../lambdas/adapters/aws-clients.js';
import { config } from '../lambdas/shared/config.js';
import { localStateMachines } from './asl.js';
import { startStepFunctionsEndpoint } from './aws-endpoint.js';
import { CHECKPOINT_TABLE } from './checkpoints.js';
import { LOCAL_ENDPOINTS_FILE } from './data-dir.js';
import { startDynamo } from './dynamo.js';
import { routeEvents } from './event-rules.js';
import { LambdaRuntime } from './lambda-runtime.js';
import { startEventBridgeEndpoint, startSqsEndpoint } from './messaging-endpoints.js';
import { ScaledClock } from './scaled-clock.js';
import { LocalScheduler, SCHEDULE_TABLE, startSchedulerEndpoint } from './scheduler-endpoint.js';
import { LocalSecrets, startSecretsEndpoint } from './secrets-endpoint.js';
import type { LocalQueues } from './sqs-queues.js';
import { StepFunctionsEngine } from './step-functions-engine.js';
import { localFunctions, synthesizeTemplates, TemplateResolver } from './template.js';

/**
 * What the local runtime serves besides the API: the template's tables, functions, state
 * machines, queues, schedules and secrets on loopback, and the functions' environment.
 */

export interface LocalRuntimeOptions {
  /** Data folder (dynalite, checkpoints, dev key, simulator ledger); in memory when absent. */
  dataDir?: string;
  /** 0 picks a free port. */
  port: number;
  /** Use this development API key instead of the stored or generated one. */
  apiKey?: string;
  /** Local time runs this many times faster. @default 1 */
  timeScale?: number;
  /** simulator | manual | webhook. @default simulator */
  channel?: string;
  agentWebhookUrl?: string;
  /** Environment overrides for the handlers (e.g. SIMULATOR_DELAY_MS). */
  environment?: Record<string, string>;
  /** StartExecution's token bucket. @default us-east-1's: burst 1,300, 300 per second */
  startQuota?: { burst: number; perSecond: number };
  /** Replaces the state machines' TimeoutSeconds, so a test can time a run out. */
  executionTimeoutSeconds?: number;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Stops taking requests but lets the ones in flight finish (at most `timeoutMs`) before the
 * server goes. For the table: dynalite closes its store with its server, and a request cut off
 * half-way hits the closed store and throws where no caller can catch it.
 */
function closeServerGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections?.(), timeoutMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

export interface Services {
  resolver: TemplateResolver;
  lambdas: LambdaRuntime;
  dynamo: Awaited<ReturnType<typeof startDynamo>>;
  clock: ScaledClock;
  engine: StepFunctionsEngine;
  queues: LocalQueues;
  sfn: Awaited<ReturnType<typeof startStepFunctionsEndpoint>>;
  scheduler: LocalScheduler;
  schedulerEndpoint: Awaited<ReturnType<typeof startSchedulerEndpoint>>;
  secrets: Awaited<ReturnType<typeof startSecretsEndpoint>>;
  eventBridge: Awaited<ReturnType<typeof startEventBridgeEndpoint>>;
  sqs: Awaited<ReturnType<typeof startSqsEndpoint>>;
}

/** The template's tables, functions and state machines, served on loopback. */
export async function startServices(options: LocalRuntimeOptions): Promise<Services> {
  const templates = synthesizeTemplates({
    channel: options.channel ?? 'simulator',
    agentWebhookUrl: options.agentWebhookUrl,
  });
  const resolver = new TemplateResolver(templates);
  const lambdas = new LambdaRuntime(localFunctions(resolver));
  const dynamo = await startDynamo(resolver, options.dataDir && join(options.dataDir, 'dynamodb'), [
    CHECKPOINT_TABLE,
    SCHEDULE_TABLE,
  ]);
  const clock = new ScaledClock(
    options.timeScale ?? 1,
    options.dataDir && join(options.dataDir, 'clock')
  );
  const machines = localStateMachines(resolver).map((machine) => ({
    ...machine,
    timeoutSeconds: options.executionTimeoutSeconds ?? machine.timeoutSeconds,
  }));
  const engine = new StepFunctionsEngine(machines, lambdas, dynamo.client, clock);
  const { queues, bus } = routeEvents(resolver, engine, lambdas, clock);
  const sfn = await startStepFunctionsEndpoint(engine, options.startQuota);
  const scheduler = new LocalScheduler(dynamo.client, clock, engine);
  const schedulerEndpoint = await startSchedulerEndpoint(scheduler);
  const secrets = await startSecretsEndpoint(new LocalSecrets(resolver, options.dataDir));
  const eventBridge = await startEventBridgeEndpoint(bus);
  const sqs = await startSqsEndpoint(queues);
  return {
    eventBridge,
    sqs,
    resolver,
    lambdas,
    dynamo,
    clock,
    engine,
    queues,
    sfn,
    scheduler,
    schedulerEndpoint,
    secrets,
  };
}

/**
 * The functions' environment: the template's variables, the loopback endpoints (the only switch
 * between AWS and local) and the caller's overrides, then validated: a bad value stops the boot
 * with a message naming the variable, as a cold start would on AWS.
 */
export function configureEnvironment(options: LocalRuntimeOptions, services: Services): void {
  Object.assign(process.env, services.lambdas.environment(), {
    DYNAMODB_ENDPOINT: services.dynamo.endpoint,
    SFN_ENDPOINT: services.sfn.url,
    SCHEDULER_ENDPOINT: services.schedulerEndpoint.url,
    SECRETSMANAGER_ENDPOINT: services.secrets.url,
    EVENTBRIDGE_ENDPOINT: services.eventBridge.url,
    SQS_ENDPOINT: services.sqs.url,
    // A receiver in the test process or on this machine: http://127.0.0.1 subscriptions.
    WEBHOOK_ALLOW_LOOPBACK_HTTP: 'true',
    AWS_REGION: 'local-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // EMF metric lines are for CloudWatch; locally they would only flood stdout.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    // The bench and the busiest e2e suites send a thousand requests at once from one
    // organization, so locally the per-organization limit is 1,000/s (burst 2,000) unless set.
    ORG_REQUEST_RATE: process.env.ORG_REQUEST_RATE ?? '1000',
    ORG_REQUEST_BURST: process.env.ORG_REQUEST_BURST ?? '2000',
    // A lease is scaled time: at TIME_SCALE 3600 the default 30 minutes would end half a real
    // second after a simulated call started, freeing its slot while the call still runs.
    // Locally a lease lasts at least two real minutes.
    SLOT_LEASE_SECONDS:
      process.env.SLOT_LEASE_SECONDS ??
      String(Math.max(1800, Math.ceil(120 * (options.timeScale ?? 1)))),
    ...(options.dataDir && {
      SIMULATOR_LEDGER_FILE: join(options.dataDir, 'simulator-contacts.jsonl'),
    }),
    ...options.environment,
  });
  config();
  resetClients();
}

/** Tells scripts on this machine how to reach the running runtime's queues. */
export function advertiseEndpoints(dataDir: string | undefined, services: Services): void {
  if (!dataDir) return;
  const endpoints = {
    sqsEndpoint: services.sqs.url,
    webhookDeadLetterQueueArn: services.resolver.output('WebhookDeadLetterQueueArn'),
  };
  writeFileSync(join(dataDir, LOCAL_ENDPOINTS_FILE), `${JSON.stringify(endpoints)}\n`);
}

export async function stopServices(services: Services): Promise<void> {
  services.scheduler.stop();
  await services.engine.shutdown();
  await services.queues.stop();
  services.clock.stop();
  // A stop under load (thousands of runs in flight) can take a while to drain.
  await services.lambdas.drain(30_000);
  for (const server of [
    services.sfn,
    services.schedulerEndpoint,
    services.secrets,
    services.eventBridge,
    services.sqs,
  ]) {
    await closeServer(server.server);
  }
  await closeServerGracefully(services.dynamo.server, 10_000);
}
