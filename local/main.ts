import { startLocalRuntime } from './runtime.js';

/**
 * `npm start`: the whole product on this machine. Environment: PORT (3000), DATA_DIR (.data),
 * API_KEY, TIME_SCALE (1), OUTREACH_CHANNEL (simulator|manual|webhook), AGENT_WEBHOOK_URL,
 * AGENT_WEBHOOK_SECRET, SIMULATOR_DELAY_MS, SIMULATOR_OUTCOME.
 */
const runtime = await startLocalRuntime({
  port: Number(process.env.PORT ?? 3000),
  dataDir: process.env.DATA_DIR ?? '.data',
  apiKey: process.env.API_KEY,
  timeScale: Number(process.env.TIME_SCALE ?? 1),
  channel: process.env.OUTREACH_CHANNEL,
  agentWebhookUrl: process.env.AGENT_WEBHOOK_URL,
});

const url = runtime.url.replace('127.0.0.1', 'localhost');
console.log(`Outreach Workflows is running at ${url}/api/v1`);
console.log(`Development API key: ${runtime.apiKey}`);
console.log(
  `Channel: ${process.env.OUTREACH_CHANNEL ?? 'simulator'}; time scale: ${process.env.TIME_SCALE ?? 1}x; resumed executions: ${runtime.resumed}`
);
console.log(`Try: curl -H "X-API-Key: ${runtime.apiKey}" ${url}/api/v1/workflow`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    runtime.stop().then(() => process.exit(0));
  });
}
