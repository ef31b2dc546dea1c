import './polyfills.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureOrganization,
  generateApiKey,
  storeApiKey,
} from '../lambdas/adapters/organization-repository.js';
import { startApiGateway } from './api-gateway.js';
import { acquireDataDir } from './data-dir.js';
import type { LambdaRuntime } from './lambda-runtime.js';
import {
  advertiseEndpoints,
  closeServer,
  configureEnvironment,
  type LocalRuntimeOptions,
  type Services,
  startServices,
  stopServices,
} from './runtime-services.js';
import { ScheduledRules, scheduledTargets } from './scheduled-rules.js';
import type { LocalQueues } from './sqs-queues.js';
import type { StepFunctionsEngine } from './step-functions-engine.js';

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

export type { LocalRuntimeOptions };

let live = false;

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
    advertiseEndpoints(options.dataDir, services);
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
