import { v5 as uuidv5 } from 'uuid';

/** Namespace for step execution ids: uuidv5(execution, step, attempt) is stable across retries. */
const STEP_EXECUTION_NAMESPACE = '6f1d3c0e-4a0b-4f8e-9a57-0d3f5b2a9c11';

/** A step attempt's id: the same for every Dispatch of that attempt (retries, restarts). */
export function stepExecutionId(executionId: string, stepIndex: number, attemptNo: number): string {
  return uuidv5(`${executionId}:${stepIndex}:${attemptNo}`, STEP_EXECUTION_NAMESPACE);
}
