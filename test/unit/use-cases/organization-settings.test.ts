import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOrganization } from '../../../lambdas/adapters/organization-repository.js';
import { issuesOf } from '../../../lambdas/handlers/http.js';
import {
  defaultOrganizationSettings,
  type OrganizationSettingsPatch,
  updateOrganizationSettingsSchema,
} from '../../../lambdas/schemas/organization.js';
import {
  ConcurrentUpdateError,
  OrganizationNotFoundError,
  ValidationError,
} from '../../../lambdas/shared/errors.js';
import {
  currentOrganization,
  updateOrganizationSettings,
} from '../../../lambdas/use-cases/organizations.js';
import { beforeNext, type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

let table: InMemoryTable;
const created = new Date('2026-11-20T10:00:00.000Z');
const now = new Date('2026-11-26T08:00:00.000Z');

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  await table.close();
});

const anOrganization = () => ensureOrganization(`settings-${randomUUID()}`, created);

/** The paths of the issues a PATCH body gets, or [] when it is valid. */
function issuePaths(body: unknown): string[] {
  const result = updateOrganizationSettingsSchema.safeParse(body);
  return result.success ? [] : issuesOf(result.error).map((issue) => issue.path);
}

const buckets = (...ranges: Array<[number, number | null, number]>) => ({
  priorityDateBucketConfig: {
    enabled: true,
    buckets: ranges.map(([minDays, maxDays, percentage]) => ({ minDays, maxDays, percentage })),
  },
});

describe('organization settings', () => {
  it('shows the defaults to an organization that never set one', async () => {
    const org = await anOrganization();
    const organization = await currentOrganization(org);
    expect(organization).toMatchObject(defaultOrganizationSettings);
    expect(organization.maxConcurrentCalls).toBe(20);
    expect(organization).not.toHaveProperty('settings');
    expect(organization).not.toHaveProperty('settingsVersion');
    expect(organization.updatedAt).toBe(created.toISOString());
  });

  it('changes only the settings sent, keeping earlier changes', async () => {
    const org = await anOrganization();
    await updateOrganizationSettings(org, { maxConcurrentCalls: 5 }, now);
    const after = await updateOrganizationSettings(org, buckets([0, 7, 60], [8, null, 40]), now);
    expect(after).toMatchObject({
      maxConcurrentCalls: 5,
      maxConcurrentTexts: defaultOrganizationSettings.maxConcurrentTexts,
      schedulerBatchSize: defaultOrganizationSettings.schedulerBatchSize,
      ...buckets([0, 7, 60], [8, null, 40]),
      updatedAt: now.toISOString(),
    });
    expect(await currentOrganization(org)).toEqual(after);
  });

  it('never touches another organization', async () => {
    const [mine, theirs] = [await anOrganization(), await anOrganization()];
    await updateOrganizationSettings(mine, { maxConcurrentTexts: 3 }, now);
    expect((await currentOrganization(theirs)).maxConcurrentTexts).toBe(100);
  });

  it('refuses an organization that does not exist, creating nothing', async () => {
    const org = randomUUID();
    await expect(updateOrganizationSettings(org, { maxConcurrentCalls: 2 }, now)).rejects.toThrow(
      OrganizationNotFoundError
    );
    await expect(currentOrganization(org)).rejects.toThrow(OrganizationNotFoundError);
  });

  it('checks a batch size against the stored ceiling when only one of them is sent', async () => {
    const org = await anOrganization();
    await updateOrganizationSettings(org, { maxSchedulerBatchSize: 30 }, now);
    const error = await updateOrganizationSettings(org, { schedulerBatchSize: 31 }, now).catch(
      (caught: unknown) => caught
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([
      expect.objectContaining({ path: 'schedulerBatchSize' }),
    ]);
    expect((await currentOrganization(org)).schedulerBatchSize).toBe(25);
  });

  it('loses neither of two updates that race, re-reading the one that came first', async () => {
    const org = await anOrganization();
    const { ran } = beforeNext('UpdateItemCommand', async () => {
      await updateOrganizationSettings(org, { maxConcurrentCalls: 7 }, now);
    });
    await updateOrganizationSettings(org, { maxConcurrentTexts: 9 }, now);
    await ran;
    expect(await currentOrganization(org)).toMatchObject({
      maxConcurrentCalls: 7,
      maxConcurrentTexts: 9,
    });
  });

  it('gives up with a conflict when every write loses a race', async () => {
    const org = await anOrganization();
    let racers = 0;
    let cancel: () => void = () => undefined;
    const raceNextWrite = () => {
      cancel = beforeNext('UpdateItemCommand', async () => {
        await updateOrganizationSettings(org, { maxConcurrentCalls: ++racers }, now);
        raceNextWrite();
      }).cancel;
    };
    raceNextWrite();
    try {
      await expect(updateOrganizationSettings(org, { maxConcurrentTexts: 9 }, now)).rejects.toThrow(
        ConcurrentUpdateError
      );
    } finally {
      cancel();
    }
    expect(racers).toBe(5);
    expect((await currentOrganization(org)).maxConcurrentTexts).toBe(100);
  });
});

describe('PATCH body validation', () => {
  const valid: OrganizationSettingsPatch[] = [
    { maxConcurrentCalls: 1 },
    { schedulerBatchSize: 100, maxSchedulerBatchSize: 100 },
    buckets([0, 7, 60], [8, 30, 30], [31, null, 10]),
    buckets([0, 0, 100]),
    { priorityDateBucketConfig: { enabled: false, buckets: [] } },
  ];
  it.each(valid)('accepts %j', (body) => {
    expect(issuePaths(body)).toEqual([]);
  });

  it.each([
    [{}, ''],
    [{ maxConcurrentCalls: 0 }, 'maxConcurrentCalls'],
    [{ maxConcurrentTexts: 1.5 }, 'maxConcurrentTexts'],
    [{ schedulerBatchSize: '10' }, 'schedulerBatchSize'],
    [{ schedulerBatchSize: 11, maxSchedulerBatchSize: 10 }, 'schedulerBatchSize'],
    [{ activeCallCount: 3 }, 'activeCallCount'],
    [buckets([0, 7, 60], [8, 30, 30]), 'priorityDateBucketConfig.buckets'],
    [buckets([0, 7, 50.5], [8, null, 49.5]), 'priorityDateBucketConfig.buckets.0.percentage'],
    [buckets([0, 7, 60], [7, null, 40]), 'priorityDateBucketConfig.buckets.1.minDays'],
    [buckets([8, null, 40], [0, 10, 60]), 'priorityDateBucketConfig.buckets.0.minDays'],
    [buckets([0, 7, 50], [9, 8, 50]), 'priorityDateBucketConfig.buckets.1.minDays'],
    [buckets([-1, 7, 100]), 'priorityDateBucketConfig.buckets.0.minDays'],
    [
      { priorityDateBucketConfig: { enabled: true, buckets: [] } },
      'priorityDateBucketConfig.buckets',
    ],
  ])('refuses %j at %s', (body, path) => {
    expect(issuePaths(body)).toContain(path);
  });
});
