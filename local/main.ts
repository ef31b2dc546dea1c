import { startLocalRuntime } from './runtime.js';
import { localSecretsDir } from './secrets-endpoint.js';

/**
 * `npm start`: the whole product on this machine. Environment: PORT (3000), DATA_DIR (.data),
 * API_KEY, TIME_SCALE (1), OUTREACH_CHANNEL (simulator|manual|webhook), AGENT_WEBHOOK_URL,
 * PUBLIC_API_URL (the webhook's callback base; this server by default), SIMULATOR_DELAY_MS,
 * SIMULATOR_OUTCOME. The webhook signing secret is generated once into the data folder.
 */
const dataDir = process.env.DATA_DIR ?? '.data';
const channel = process.env.OUTREACH_CHANNEL ?? 'simulator';
const runtime = await startLocalRuntime({
  port: Number(process.env.PORT ?? 3000),
  dataDir,
  apiKey: process.env.API_KEY,
  timeScale: Number(process.env.TIME_SCALE ?? 1),
  channel,
  agentWebhookUrl: process.env.AGENT_WEBHOOK_URL,
  // A tunnel's URL, when the agent is not on this machine.
  environment: process.env.PUBLIC_API_URL ? { PUBLIC_API_URL: process.env.PUBLIC_API_URL } : {},
});

const url = runtime.url.replace('127.0.0.1', 'localhost');
console.log(`Outreach Workflows is running at ${url}/api/v1`);
console.log(`Development API key: ${runtime.apiKey}`);
console.log(
  `Channel: ${channel}; time scale: ${process.env.TIME_SCALE ?? 1}x; resumed executions: ${runtime.resumed}`
);
if (channel === 'webhook') console.log(`Webhook signing secret: in ${localSecretsDir(dataDir)}/`);
console.log(`Try: curl -H "X-API-Key: ${runtime.apiKey}" ${url}/api/v1/workflow`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    runtime.stop().then(() => process.exit(0));
  });
}
