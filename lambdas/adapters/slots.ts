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
}

/**
 * Gives `holderId` a slot if fewer than `cap` are held and it holds none that is still live;
 * false otherwise (the caller reads again to learn which).
 */
export function takeSlot(
  organizationId: string,
  kind: SlotKind,
  grant: SlotGrant,
  now: Date
): Promise<boolean> {
  const update = new Update();
  const holder = update.name(`holders.${grant.holderId}`);
  return update
    .set(`holders.${grant.holderId}`, grant.leaseUntil)
    .when(`size(${update.name('holders')}) < ${update.value(grant.cap)}`)
    .when(`(attribute_not_exists(${holder}) OR ${holder} <= ${update.value(now.getTime())})`)
    .run(keys.slots(organizationId, kind));
}

/**
 * The most holders one write names. Every holder id is a 36-character attribute name, and
 * DynamoDB refuses an expression over 4 KB: 20 keeps a write near 2 KB.
 */
export const MAX_HOLDERS_PER_WRITE = 20;

export interface SlotHandOut {
  holderIds: string[];
  leaseUntil: number;
  cap: number;
  /** The shares as read: the write is refused if another hand-out changed them since. */
  sharesRead: Shares;
  sharesAfter: Shares;
}

/**
 * Gives each of `holderIds` a slot in one conditional write, with the bucket shares they use
 * up: refused (false) when that would pass the cap, when one of them holds a slot already, or
 * when another hand-out moved the shares since they were read.
 */
export function takeSlots(
  organizationId: string,
  kind: SlotKind,
  handOut: SlotHandOut
): Promise<boolean> {
  if (handOut.holderIds.length > MAX_HOLDERS_PER_WRITE)
    throw new Error(`At most ${MAX_HOLDERS_PER_WRITE} holders per write`);
  const update = new Update();
  const room = handOut.cap - handOut.holderIds.length + 1;
  update.when(`size(${update.name('holders')}) < ${update.value(room)}`);
  for (const holderId of handOut.holderIds) {
    update.set(`holders.${holderId}`, handOut.leaseUntil).whenAbsent(`holders.${holderId}`);
  }
  for (const [bucket, pass] of Object.entries(handOut.sharesAfter.passes)) {
    const before = handOut.sharesRead.passes[bucket];
    if (before === pass) continue;
    update.set(`passes.${bucket}`, pass);
    if (before === undefined) update.whenAbsent(`passes.${bucket}`);
    else update.whenEquals(`passes.${bucket}`, before);
  }
  update.set('virtualTime', handOut.sharesAfter.virtualTime);
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
 * (a holder that was just granted again keeps its new lease), in writes of at most
 * MAX_HOLDERS_PER_WRITE; false when any write was refused (read again).
 */
export async function reclaimExpired(
  organizationId: string,
  kind: SlotKind,
  expired: Holders
): Promise<boolean> {
  const entries = Object.entries(expired);
  let all = true;
  for (let start = 0; start < entries.length; start += MAX_HOLDERS_PER_WRITE) {
    const update = new Update();
    for (const [holderId, until] of entries.slice(start, start + MAX_HOLDERS_PER_WRITE)) {
      update.remove(`holders.${holderId}`).whenEquals(`holders.${holderId}`, until);
    }
    if (!(await update.run(keys.slots(organizationId, kind)))) all = false;
  }
  return all;
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
