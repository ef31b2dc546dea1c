import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { TemplateResolver } from './template.js';

export const TASK_TOKEN_SENTINEL = '__LOCAL_TASK_TOKEN__';

/** How the local engine serves each Task state. */
export type LocalTask =
  | { kind: 'invoke'; functionId: string }
  | { kind: 'callback'; functionId: string }
  | { kind: 'sleep' };

export interface LocalStateMachine {
  arn: string;
  definition: StateMachineDefinition;
  tasks: Map<string, LocalTask>;
  /** States at whose entry the engine checkpoints (waits and callbacks: where time passes). */
  checkpointStates: Set<string>;
  /** The machine's TimeoutSeconds, which the engine enforces on the scaled clock. */
  timeoutSeconds?: number;
}

// The longest timer Node can arm (2^31 − 1 ms, about 24.8 days); a longer one fires at once.
const MAX_TIMER_SECONDS = 2_073_600;

function functionIdOf(parameters: Record<string, unknown> | undefined): string {
  const name = String(parameters?.FunctionName ?? '');
  const id = name.split(':function:')[1]?.split(':')[0];
  if (!id) throw new Error(`Task calls an unknown function ${name}`);
  return id;
}

/**
 * Turns a synthesized state machine into what the local engine runs:
 * - every `lambda:invoke` / `lambda:invoke.waitForTaskToken` Task maps to a local function;
 * - every TimestampPath Wait becomes a Task that sleeps in scaled time (same Next, input kept),
 *   because the library sleeps real time against a clock TIME_SCALE speeds up.
 * Anything else in the definition throws at boot.
 */
export function localStateMachine(arn: string, aslJson: string): LocalStateMachine {
  const definition = JSON.parse(aslJson) as StateMachineDefinition;
  const tasks = new Map<string, LocalTask>();
  const checkpointStates = new Set<string>();
  // The library would arm the machine timeout with one real-time setTimeout: a year overflows
  // it (it fires at once), TIME_SCALE does not speed it up and a restart would start it again.
  // The engine enforces it instead, from the execution's start on the scaled clock.
  const timeoutSeconds = definition.TimeoutSeconds;
  delete definition.TimeoutSeconds;
  for (const [name, state] of Object.entries(definition.States)) {
    const raw = state as unknown as Record<string, any>;
    if (state.Type === 'Wait') {
      if (!raw.TimestampPath) throw new Error(`Wait ${name} must use TimestampPath`);
      const { TimestampPath, Type: _type, ...rest } = raw;
      definition.States[name] = {
        ...rest,
        Type: 'Task',
        Resource: 'arn:aws:states:::local:sleep',
        Parameters: { 'until.$': TimestampPath },
        ResultPath: null,
        TimeoutSeconds: MAX_TIMER_SECONDS,
      } as any;
      tasks.set(name, { kind: 'sleep' });
      checkpointStates.add(name);
    } else if (state.Type === 'Task') {
      if (raw.Resource.endsWith(':states:::lambda:invoke')) {
        tasks.set(name, { kind: 'invoke', functionId: functionIdOf(raw.Parameters) });
      } else if (raw.Resource.endsWith(':states:::lambda:invoke.waitForTaskToken')) {
        if (!raw.TimeoutSeconds) throw new Error(`Callback task ${name} needs a timeout`);
        // A timeout past the longest timer Node can arm would fire at once (Park's year):
        // locally such a task simply has none.
        if (raw.TimeoutSeconds > MAX_TIMER_SECONDS) delete raw.TimeoutSeconds;
        tasks.set(name, { kind: 'callback', functionId: functionIdOf(raw.Parameters) });
        checkpointStates.add(name);
      } else {
        throw new Error(`Task ${name} uses ${raw.Resource}, which the local engine cannot run`);
      }
    } else if (state.Type === 'Map' || state.Type === 'Parallel') {
      throw new Error(`${state.Type} state ${name} is not supported by the local engine`);
    }
  }
  return { arn, definition, tasks, checkpointStates, timeoutSeconds };
}

export function localStateMachines(resolver: TemplateResolver): LocalStateMachine[] {
  return resolver
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const arn = resolver.resolve({ Ref: logicalId });
      return localStateMachine(arn, resolver.resolve(resource.Properties.DefinitionString));
    });
}
