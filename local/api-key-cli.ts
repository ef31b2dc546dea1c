import { parseArgs } from 'node:util';
import {
  ensureOrganization,
  generateApiKey,
  storeApiKey,
} from '../lambdas/adapters/organization-repository.js';

/**
 * `npm run api-key -- create --org NAME [--table TABLE]`: prints a new API key for the
 * organization (created when new). Without --table it writes to the local data folder
 * (DATA_DIR, default .data; stop `npm start` first). With --table it writes to that DynamoDB
 * table in AWS, using the usual AWS credentials and region.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { org: { type: 'string' }, table: { type: 'string' } },
});

if (positionals[0] !== 'create' || !values.org) {
  console.error('usage: npm run api-key -- create --org NAME [--table DEPLOYED_TABLE_NAME]');
  process.exit(2);
}

let stop = async () => {};
if (values.table) {
  process.env.TABLE_NAME = values.table;
} else {
  const { acquireDataDir } = await import('./data-dir.js');
  const { startDynamo } = await import('./dynamo.js');
  const { synthesizeTemplates, TemplateResolver } = await import('./template.js');
  const { CHECKPOINT_TABLE } = await import('./checkpoints.js');
  const dataDir = process.env.DATA_DIR ?? '.data';
  const release = acquireDataDir(dataDir);
  // Only the table matters here, and it is the same whatever the channel.
  const resolver = new TemplateResolver(synthesizeTemplates({ channel: 'manual' }));
  const dynamo = await startDynamo(resolver, `${dataDir}/dynamodb`, [CHECKPOINT_TABLE]);
  const [tableId] = resolver.resourcesOfType('AWS::DynamoDB::Table').map(([id]) => id);
  Object.assign(process.env, {
    TABLE_NAME: tableId,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: 'local-1',
  });
  stop = async () => {
    await new Promise((resolve) => dynamo.server.close(resolve));
    release();
  };
}

const now = new Date();
const organizationId = await ensureOrganization(values.org, now);
const apiKey = generateApiKey();
await storeApiKey(organizationId, apiKey, now);
console.log(`organization ${values.org} (${organizationId})`);
console.log(`API key (shown once, only its SHA-256 is stored): ${apiKey}`);
await stop();
