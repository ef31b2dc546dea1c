import './polyfills.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { resetClients } from '../lambdas/adapters/aws-clients.js';
import {
  ensureOrganization,
  generateApiKey,
  storeApiKey,
} from '../lambdas/adapters/organization-repository.js';
import { config } from '../lambdas/shared/config.js';
import { startApiGateway } from './api-gateway.js';
import { localStateMachines } from './asl.js';
import { startStepFunctionsEndpoint } from './aws-endpoint.js';
import { CHECKPOINT_TABLE } from './checkpoints.js';
import { acquireDataDir } from './data-dir.js';
import { startDynamo } from './dynamo.js';
import { deliverExecutionEnds } from './event-rules.js';
import { LambdaRuntime } from './lambda-runtime.js';
import { ScaledClock } from './scaled-clock.js';
import { ScheduledRules, scheduledTargets } from './scheduled-rules.js';
import { LocalScheduler, SCHEDULE_TABLE, startSchedulerEndpoint } from './scheduler-endpoint.js';
import { LocalSecrets, startSecretsEndpoint } from './secrets-endpoint.js';
import type { LocalQueues } from './sqs-queues.js';
import { StepFunctionsEngine } from './step-functions-engine.js';
import { localFunctions, synthesizeTemplates, TemplateResolver } from './template.js';

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

export interface LocalRuntime {
  url: string;
  apiKey: string;
  organizationId: string;
  resumed: number;
  engine: StepFunctionsEngine;
  lambdas: LambdaRuntime;
  /** The template's SQS queues (execution ends on their way to the reconciler). */
  queues: LocalQueues;
  stop(): Promise<void>;
}

let live = false;

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Services {
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
}

/** The template's tables, functions and state machines, served on loopback. */
async function startServices(options: LocalRuntimeOptions): Promise<Services> {
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
  const queues = deliverExecutionEnds(resolver, engine, lambdas, clock);
  const sfn = await startStepFunctionsEndpoint(engine, options.startQuota);
  const scheduler = new LocalScheduler(dynamo.client, clock, engine);
  const schedulerEndpoint = await startSchedulerEndpoint(scheduler);
  const secrets = await startSecretsEndpoint(new LocalSecrets(resolver, options.dataDir));
  return {
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
function configureEnvironment(options: LocalRuntimeOptions, services: Services): void {
  Object.assign(process.env, services.lambdas.environment(), {
    DYNAMODB_ENDPOINT: services.dynamo.endpoint,
    SFN_ENDPOINT: services.sfn.url,
    SCHEDULER_ENDPOINT: services.schedulerEndpoint.url,
    SECRETSMANAGER_ENDPOINT: services.secrets.url,
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
    ...(options.dataDir && {
      SIMULATOR_LEDGER_FILE: join(options.dataDir, 'simulator-contacts.jsonl'),
    }),
    ...options.environment,
  });
  config();
  resetClients();
}

/**
 * The handlers find their table through process-wide endpoint variables: a second runtime in
 * the same process would silently point every running handler at another store, which reads as
 * data going back in time. One at a time; returns the release.
 */
function claimProcess(dataDir: string | undefined): () => void {
  if (live) throw new Error('A local runtime is already running in this process; stop it first');
  live = true;
  const dataDirRelease = dataDir ? acquireDataDir(dataDir) : () => undefined;
  return () => {
    dataDirRelease();
    live = false;
  };
}

async function stopServices(services: Services): Promise<void> {
  services.scheduler.stop();
  await services.engine.shutdown();
  await services.queues.stop();
  services.clock.stop();
  for (const server of [
    services.sfn,
    services.schedulerEndpoint,
    services.secrets,
    services.dynamo,
  ]) {
    await closeServer(server.server);
  }
}

/**
 * Picks up where an earlier process stopped: the clock runs, every running execution resumes,
 * stored start schedules are armed, and the scheduled rules (the pending-start sweep) run once
 * with no grace period (no create of an earlier process can still be in flight), then on their
 * schedule.
 */
async function resume(services: Services) {
  services.clock.start();
  const resumed = await services.engine.resumeAll();
  await services.scheduler.armAll();
  const rules = new ScheduledRules(
    scheduledTargets(services.resolver),
    services.lambdas,
    services.clock.scale
  );
  await rules.runOnce({ graceSeconds: 0 });
  rules.start();
  return { resumed, rules };
}

/**
 * Boots the product on one machine: synthesizes the CDK app in-process, then serves the same
 * template's tables (dynalite), functions (the handler sources), state machine
 * (aws-local-stepfunctions), scheduled rules and REST API, with the real SDK clients pointed at
 * loopback.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const release = claimProcess(options.dataDir);
  try {
    const services = await startServices(options);
    const { resolver, lambdas, engine, queues } = services;
    configureEnvironment(options, services);
    await lambdas.load();

    // Bind the port before the development key and the resumed runs, but hold every request
    // until both are in place. The bound URL is needed first: with PORT=0 only binding tells
    // it, and resumed runs may dispatch a webhook whose callback URL is PUBLIC_API_URL; freeing
    // the port and binding again later would let another process take it in between. Holding,
    // rather than answering early, means a client that fires as soon as the port opens waits a
    // moment instead of getting a 401 for a key that is not stored yet. The template's callback
    // base names the API's execute-api host; here the API is this gateway.
    const gateway = await startApiGateway(resolver, lambdas, options.port);
    process.env.PUBLIC_API_URL = options.environment?.PUBLIC_API_URL ?? gateway.url;
    const organizationId = await ensureOrganization('development', new Date());
    const apiKey = options.apiKey ?? readOrCreateDevKey(options.dataDir);
    await storeApiKey(organizationId, apiKey, new Date());

    const { resumed, rules } = await resume(services);
    gateway.open();
    return {
      url: gateway.url,
      apiKey,
      organizationId,
      resumed,
      engine,
      lambdas,
      queues,
      async stop() {
        await rules.stop();
        await closeServer(gateway.server);
        await stopServices(services);
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The development key survives restarts in the data folder (git-ignored), so curl lines keep working. */
function readOrCreateDevKey(dataDir: string | undefined): string {
  if (!dataDir) return generateApiKey();
  const file = join(dataDir, 'dev-api-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const key = generateApiKey();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
