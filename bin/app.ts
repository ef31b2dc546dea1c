import { buildApp } from '../lib/build-app.js';
import { ChannelContextError } from '../lib/channel-settings.js';

try {
  buildApp().app.synth();
} catch (error) {
  // A missing or wrong `-c` value is the operator's to fix: the message, not a stack trace.
  if (!(error instanceof ChannelContextError)) throw error;
  console.error(error.message);
  process.exit(1);
}
