import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Holders, Shares, SlotKind } from '../schemas/pacing.js';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName, Update } from './table.js';
import { keys } from './table-keys.js';

/**
 * One item per organization and slot kind holds who has a slot and until when (a map of step
 * attempt id → lease end), and the shares of the priority buckets. Every change is one
 * conditional UpdateItem on it: the size of the map is the count of slots in use, so taking a
 * slot can never pass the cap however many Dispatches race, and releasing one cannot free a
 * slot twice. (DynamoDB's `size()` counts a map's entries.) A lease that ends frees its slot
 * even when its holder never reports back; `reclaimExpired` takes those out.
 */
export interface SlotsItem {
  exists: boolean;
  holders: Holders;
  shares: Shares;
}

export async function readSlots(organizationId: string, kind: SlotKind): Promise<SlotsItem> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.slots(organizationId, kind),
      ConsistentRead: true,
    })
  );
  return {
    exists: Item !== undefined,
    holders: (Item?.holders as Holders | undefined) ?? {},
    shares: {
      passes: (Item?.passes as Record<string, number> | undefined) ?? {},
      virtualTime: typeof Item?.virtualTime === 'number' ? Item.virtualTime : 0,
    },
  };
}

/** Creates the empty item (the map must exist before an entry can be set in it); idempotent. */
export async function createSlots(organizationId: string, kind: SlotKind): Promise<void> {
  await conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.slots(organizationId, kind),
          ...keys.slotsIndex(organizationId, kind),
          holders: {},
          passes: {},
          virtualTime: 0,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

export interface SlotGrant {
  holderId: string;
  leaseUntil: number;
  cap: number;
  /** The bucket share this grant uses up, when it comes from the queue. */
  share?: {
    bucket: number;
    previousPass: number | undefined;
    nextPass: number;
    virtualTime: number;
  };
}

/**
 * Gives `holderId` a slot if fewer than `cap` are held and it holds none that is still live;
 * false otherwise (the caller reads again to learn which). A grant from the queue also moves
 * its bucket's pass, conditioned on the pass it read, so two grants cannot spend one share.
 */
export function takeSlot(
  organizationId: string,
  kind: SlotKind,
  grant: SlotGrant,
  now: Date
): Promise<boolean> {
  const update = new Update();
  const holder = update.name(`holders.${grant.holderId}`);
  update
    .set(`holders.${grant.holderId}`, grant.leaseUntil)
    .when(`size(${update.name('holders')}) < ${update.value(grant.cap)}`)
    .when(`(attribute_not_exists(${holder}) OR ${holder} <= ${update.value(now.getTime())})`);
  if (grant.share) {
    const pass = `passes.${grant.share.bucket}`;
    update.set(pass, grant.share.nextPass).set('virtualTime', grant.share.virtualTime);
    if (grant.share.previousPass === undefined) update.whenAbsent(pass);
    else update.whenEquals(pass, grant.share.previousPass);
  }
  return update.run(keys.slots(organizationId, kind));
}

/** Gives the slot back; false when `holderId` held none (released already, or reclaimed). */
export function releaseSlot(
  organizationId: string,
  kind: SlotKind,
  holderId: string
): Promise<boolean> {
  return new Update()
    .remove(`holders.${holderId}`)
    .whenExists(`holders.${holderId}`)
    .run(keys.slots(organizationId, kind));
}

/**
 * Takes back slots whose lease ended, each only if its lease is still the one that was read
 * (a holder that was just granted again keeps its new lease); false when any changed.
 */
export function reclaimExpired(
  organizationId: string,
  kind: SlotKind,
  expired: Holders
): Promise<boolean> {
  const update = new Update();
  for (const [holderId, until] of Object.entries(expired)) {
    update.remove(`holders.${holderId}`).whenEquals(`holders.${holderId}`, until);
  }
  return update.run(keys.slots(organizationId, kind));
}

export interface SlotsRef {
  organizationId: string;
  kind: SlotKind;
}

/** Every organization and kind that ever held a slot, from the keys-only index. */
export async function listSlots(): Promise<SlotsRef[]> {
  const refs: SlotsRef[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pacing',
        ExpressionAttributeValues: { ':pacing': 'PACING' },
        ExclusiveStartKey: startKey,
      })
    );
    for (const item of page.Items ?? []) {
      const [organizationId, kind] = String(item.gsi1sk).split('#');
      if (organizationId && (kind === 'CALL' || kind === 'TEXT'))
        refs.push({ organizationId, kind });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return refs;
}
