import { describe, expect, it } from 'vitest';
import { controlTransition } from '../../../lambdas/domain/status-transitions.js';

const conflict = { kind: 'conflict' };
const noop = { kind: 'noop' };
const to = (status: string) => ({ kind: 'change', to: status });

/** Every status × every control: allowed (and to what), a no-op (200), or a conflict (409). */
const table = [
  ['CREATED', 'pause', to('PAUSED')],
  ['CREATED', 'resume', noop],
  ['CREATED', 'cancel', to('CANCELLED')],
  ['RUNNING', 'pause', to('PAUSED')],
  ['RUNNING', 'resume', noop],
  ['RUNNING', 'cancel', to('CANCELLED')],
  ['PAUSED', 'pause', noop],
  ['PAUSED', 'resume', to('RUNNING')],
  ['PAUSED', 'cancel', to('CANCELLED')],
  ['COMPLETED', 'pause', conflict],
  ['COMPLETED', 'resume', conflict],
  ['COMPLETED', 'cancel', conflict],
  ['FAILED', 'pause', conflict],
  ['FAILED', 'resume', conflict],
  ['FAILED', 'cancel', conflict],
  ['CANCELLED', 'pause', conflict],
  ['CANCELLED', 'resume', conflict],
  ['CANCELLED', 'cancel', noop],
] as const;

describe('controlTransition', () => {
  it.each(table)('%s + %s', (status, action, expected) => {
    expect(controlTransition(status, action)).toMatchObject(expected);
  });

  it('names the status that makes a control conflict', () => {
    expect(controlTransition('COMPLETED', 'pause')).toEqual({
      kind: 'conflict',
      reason: 'execution is COMPLETED',
    });
  });
});
