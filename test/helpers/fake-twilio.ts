import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../../lambdas/domain/providers/twilio-signature.js';
import { type FakeServer, sendJson, startFakeServer } from './fake-http.js';

/**
 * A loopback stand-in for Twilio's Messages and Calls resources
 * (https://www.twilio.com/docs/messaging/api/message-resource,
 * https://www.twilio.com/docs/voice/api/call-resource): create and list, form-encoded, behind
 * HTTP Basic auth; and Twilio's side of the callbacks, signed with X-Twilio-Signature.
 */

export interface FakeTwilioMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  date_created: string;
  status_callback: string | null;
}

/** A call as Calls.json answers it, plus the create parameters Twilio does not echo back. */
export interface FakeTwilioCall {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: string;
  date_created: string;
  url: string;
  machine_detection: string | null;
  status_callback: string | null;
  status_callback_event: string[];
}

type SentCallback = {
  status: number;
  url: string;
  form: Record<string, string>;
  signature: string;
};

export interface FakeTwilio extends FakeServer {
  messages: FakeTwilioMessage[];
  calls: FakeTwilioCall[];
  /** POSTs the voice status callback Twilio sends for `call` (extra: AnsweredBy, SipResponseCode…). */
  sendCallStatus(
    call: FakeTwilioCall,
    status: string,
    authToken: string,
    extra?: Record<string, string>
  ): Promise<SentCallback>;
  /** POSTs the status callback Twilio sends for `message`, signed with `authToken`. */
  sendStatus(message: FakeTwilioMessage, status: string, authToken: string): Promise<SentCallback>;
  /** POSTs a signed form to `url`, as Twilio's inbound messaging webhook does. */
  sendForm(
    url: string,
    form: Record<string, string>,
    authToken: string,
    signature?: string
  ): Promise<{ status: number; signature: string }>;
}

function createCall(accountSid: string, form: URLSearchParams): FakeTwilioCall {
  return {
    sid: `CA${randomBytes(16).toString('hex')}`,
    account_sid: accountSid,
    to: form.get('To') ?? '',
    from: form.get('From') ?? '',
    status: 'queued',
    date_created: new Date().toUTCString(),
    url: form.get('Url') ?? '',
    machine_detection: form.get('MachineDetection'),
    status_callback: form.get('StatusCallback'),
    status_callback_event: form.getAll('StatusCallbackEvent'),
  };
}

export async function startFakeTwilio(accountSid: string, authToken: string): Promise<FakeTwilio> {
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const basic = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const callsPath = `/2010-04-01/Accounts/${accountSid}/Calls.json`;
  const server = await startFakeServer(({ method, url, headers, body }, response) => {
    if (headers.authorization !== basic)
      return sendJson(response, 401, { code: 20003, message: 'Authenticate', status: 401 });
    if (url.pathname === callsPath) {
      if (method !== 'POST') {
        const [to, from] = [url.searchParams.get('To'), url.searchParams.get('From')];
        const listed = calls.filter(
          (call) => (!to || call.to === to) && (!from || call.from === from)
        );
        return sendJson(response, 200, { calls: listed.reverse() });
      }
      const call = createCall(accountSid, new URLSearchParams(body));
      calls.push(call);
      return sendJson(response, 201, call);
    }
    if (url.pathname !== path) return sendJson(response, 404, { code: 20404, status: 404 });
    if (method === 'POST') {
      const form = new URLSearchParams(body);
      const message: FakeTwilioMessage = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        account_sid: accountSid,
        to: form.get('To') ?? '',
        from: form.get('From'),
        messaging_service_sid: form.get('MessagingServiceSid'),
        body: form.get('Body') ?? '',
        status: 'queued',
        date_created: new Date().toUTCString(),
        status_callback: form.get('StatusCallback'),
      };
      messages.push(message);
      return sendJson(response, 201, message);
    }
    const to = url.searchParams.get('To');
    sendJson(response, 200, { messages: messages.filter((message) => !to || message.to === to) });
  });
  const sendForm: FakeTwilio['sendForm'] = async (target, form, token, forged) => {
    const signature = forged ?? signTwilioRequest(token, target, form);
    const answer = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
      body: new URLSearchParams(form).toString(),
    });
    return { status: answer.status, signature };
  };
  return {
    ...server,
    messages,
    calls,
    sendForm,
    async sendCallStatus(call, status, token, extra = {}) {
      const url = call.status_callback ?? '';
      const form = {
        CallSid: call.sid,
        CallStatus: status,
        AccountSid: accountSid,
        To: call.to,
        From: call.from,
        Direction: 'outbound-api',
        ApiVersion: '2010-04-01',
        CallbackSource: 'call-progress-events',
        ...extra,
      };
      return { ...(await sendForm(url, form, token)), url, form };
    },
    async sendStatus(message, status, token) {
      const url = message.status_callback ?? '';
      const form = {
        MessageSid: message.sid,
        MessageStatus: status,
        AccountSid: accountSid,
        To: message.to,
        From: message.from ?? '',
        ApiVersion: '2010-04-01',
      };
      return { ...(await sendForm(url, form, token)), url, form };
    },
  };
}
