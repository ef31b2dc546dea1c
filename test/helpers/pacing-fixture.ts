import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureOrganization } from '../../lambdas/adapters/organization-repository.js';
import { readSlots } from '../../lambdas/adapters/slots.js';
import type { OrganizationSettingsPatch } from '../../lambdas/schemas/organization.js';
import type { TaskOutput } from '../../lambdas/schemas/state-machine.js';
import { updateOrganizationSettings } from '../../lambdas/use-cases/organizations.js';
import type { PacedAttempt } from '../../lambdas/use-cases/pacing.js';
import { aRun } from './in-memory-table.js';

/**
 * Pacing use cases on the in-memory table, with Step Functions mocked: which task tokens were
 * completed (and with what), and tokens whose run no longer waits (completing them fails as
 * SendTaskSuccess does for a stopped run).
 */
export function mockTaskTokens() {
  const sfn = mockClient(SFNClient);
  const state = {
    completed: [] as Array<{ token: string; output: TaskOutput }>,
    stale: new Set<string>(),
    reset() {
      state.completed = [];
      state.stale = new Set();
      sfn.reset();
      sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
        if (state.stale.has(input.taskToken)) {
          const error = new Error('gone');
          error.name = 'TaskDoesNotExist';
          throw error;
        }
        state.completed.push({ token: input.taskToken, output: JSON.parse(input.output) });
        return {};
      });
    },
    restore: () => sfn.restore(),
  };
  return state;
}

export async function anOrganization(settings: OrganizationSettingsPatch, now: Date) {
  const organizationId = await ensureOrganization(`paced-${randomUUID()}`, now);
  await updateOrganizationSettings(organizationId, settings, now);
  return organizationId;
}

/** A call attempt of a fresh run of the organization, its task token named `name`. */
export function anAttempt(
  organizationId: string,
  name: string,
  now: Date,
  options: { priorityDate?: Date; windowClosesAt?: Date } = {}
): PacedAttempt {
  const execution = aRun({
    organizationId,
    priorityDate: (options.priorityDate ?? now).toISOString(),
  });
  return {
    execution,
    stepIndex: 0,
    attemptNo: 1,
    attemptId: randomUUID(),
    taskToken: name,
    windowClosesAt: options.windowClosesAt ?? new Date(now.getTime() + 3600_000),
  };
}

export async function heldCount(organizationId: string, kind: 'CALL' | 'TEXT' = 'CALL') {
  return Object.keys((await readSlots(organizationId, kind)).holders).length;
}
