import type { Channel } from './channel.js';

/** Hands nothing over: an operator or an outside system reports the outcome through the API. */
export const manualChannel: Channel = {
  name: 'manual',
  async deliver() {
    return undefined;
  },
  async redeliver() {
    return undefined;
  },
  async follow() {
    return undefined;
  },
};
