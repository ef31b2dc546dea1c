import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RecentAttempts } from '../schemas/compliance.js';
import { dynamo } from './aws-clients.js';
import { type Page, type PageOptions, queryPage } from './pagination.js';
import { batchGetItems, tableName, Update } from './table.js';
import { keys } from './table-keys.js';

/**
 * One small item per organization and phone number holds what every dispatch must check: the
 * recent contact attempts (for the caps) and the do-not-contact flag. One strongly consistent
 * read and one conditional write per attempt cover both, and the write is refused when another
 * attempt was counted (or the number suppressed) since the read, so racing runs cannot both
 * pass a full cap. While suppressed, the item carries the keys of the sparse suppression list
 * on gsi1.
 */
export interface ContactGuard {
  attempts: RecentAttempts;
  /** 0 while the item does not exist. */
  version: number;
  suppression?: Suppression;
}

export interface Suppression {
  phoneNumber: string;
  reason: string;
  suppressedAt: string;
}

export async function readContactGuard(
  organizationId: string,
  phone: string
): Promise<ContactGuard> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.contactGuard(organizationId, phone),
      ConsistentRead: true,
    })
  );
  return {
    attempts: (Item?.attempts as RecentAttempts | undefined) ?? {},
    version: typeof Item?.version === 'number' ? Item.version : 0,
    ...(typeof Item?.suppressedAt === 'string' && {
      suppression: {
        phoneNumber: phone,
        reason: String(Item.suppressionReason),
        suppressedAt: Item.suppressedAt,
      },
    }),
  };
}

/**
 * Stores the attempts (the new one added, expired ones dropped) if nothing changed since `read`
 * and the number is not suppressed; false when refused, and the caller reads again.
 */
export function recordAttempts(
  organizationId: string,
  phone: string,
  read: ContactGuard,
  attempts: RecentAttempts
): Promise<boolean> {
  const update = new Update().set('attempts', attempts).whenAbsent('suppressedAt');
  if (read.version === 0) update.set('version', 1).whenAbsent('version');
  else update.bumpVersion(read.version);
  return update.run(keys.contactGuard(organizationId, phone));
}

/** Adds the number to the suppression list; false when it was on it already. */
export function suppress(
  organizationId: string,
  phone: string,
  reason: string,
  now: Date
): Promise<boolean> {
  const update = new Update()
    .set('suppressedAt', now.toISOString())
    .set('suppressionReason', reason)
    .whenAbsent('suppressedAt');
  for (const [name, value] of Object.entries(keys.suppressedIndex(organizationId, phone)))
    update.set(name, value);
  return update.run(keys.contactGuard(organizationId, phone));
}

/** Takes the number off the list (its attempts still count); false when it was not on it. */
export function unsuppress(organizationId: string, phone: string): Promise<boolean> {
  return new Update()
    .remove('suppressedAt')
    .remove('suppressionReason')
    .remove('gsi1pk')
    .remove('gsi1sk')
    .whenExists('suppressedAt')
    .run(keys.contactGuard(organizationId, phone));
}

function suppressionOf(item: Record<string, unknown>): Suppression {
  return {
    phoneNumber: String(item.gsi1sk),
    reason: String(item.suppressionReason),
    suppressedAt: String(item.suppressedAt),
  };
}

/**
 * Which of `phones` are on the organization's list, and why: one eventually consistent
 * BatchGetItem per 100 numbers (the launch preview's read; Dispatch reads strongly).
 */
export async function suppressionsAmong(
  organizationId: string,
  phones: readonly string[]
): Promise<Map<string, Suppression>> {
  const items = await batchGetItems(
    [...new Set(phones)].map((phone) => keys.contactGuard(organizationId, phone))
  );
  const listed = items.filter((item) => typeof item.suppressedAt === 'string');
  return new Map(
    listed.map((item) => {
      // A listed number's guard is in the list's index, sorted by the number itself.
      const phone = String(item.gsi1sk);
      const suppression: Suppression = {
        phoneNumber: phone,
        reason: String(item.suppressionReason),
        suppressedAt: String(item.suppressedAt),
      };
      return [phone, suppression];
    })
  );
}

/**
 * A page of the organization's suppressed numbers in E.164 order: the keys-only index finds
 * them, one BatchGetItem reads why and since when.
 */
export async function listSuppressions(
  organizationId: string,
  options: PageOptions
): Promise<Page<Suppression>> {
  const { gsi1pk } = keys.suppressedIndex(organizationId, '');
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :list',
      ExpressionAttributeValues: { ':list': gsi1pk },
    },
    {
      ...options,
      startKeyOf: (phone) => ({
        ...keys.contactGuard(organizationId, phone),
        ...keys.suppressedIndex(organizationId, phone),
      }),
      resolve: async (found) => {
        const items = await batchGetItems(
          found.map(({ pk, sk }) => ({ pk, sk }) as Record<string, string>)
        );
        // Taken off the list since the index was read: left out, like a finished filter match.
        const byPhone = new Map(
          items.filter((item) => item.suppressedAt).map((item) => [String(item.gsi1sk), item])
        );
        return found.flatMap((key) => {
          const item = byPhone.get(String(key.gsi1sk));
          return item ? [{ ...item, id: key.gsi1sk }] : [];
        });
      },
    }
  );
  return { items: page.items.map(suppressionOf), nextCursor: page.nextCursor };
}
