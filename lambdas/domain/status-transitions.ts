import { type ExecutionStatus, isFinished } from '../schemas/execution.js';

export type ControlAction = 'pause' | 'resume' | 'cancel';

export type Transition =
  | { kind: 'change'; to: ExecutionStatus }
  | { kind: 'noop' }
  | { kind: 'conflict'; reason: string };

/**
 * What a control does to a run in a given status. Asking for the state a run is already in is a
 * no-op (a second cancel, a pause of a paused run, a resume of a running one); acting on a run
 * that has ended is a conflict, except cancelling a cancelled one.
 * `resume` answers RUNNING; the caller restores CREATED for a run paused before its first claim.
 */
export function controlTransition(status: ExecutionStatus, action: ControlAction): Transition {
  if (action === 'cancel') {
    if (status === 'CANCELLED') return { kind: 'noop' };
    if (isFinished(status)) return { kind: 'conflict', reason: `execution is ${status}` };
    return { kind: 'change', to: 'CANCELLED' };
  }
  if (isFinished(status)) return { kind: 'conflict', reason: `execution is ${status}` };
  if (action === 'pause')
    return status === 'PAUSED' ? { kind: 'noop' } : { kind: 'change', to: 'PAUSED' };
  return status === 'PAUSED' ? { kind: 'change', to: 'RUNNING' } : { kind: 'noop' };
}
