import { describe, expect, it } from 'vitest';
import {
  parseTwilioForm,
  signTwilioRequest,
  verifyTwilioJsonRequest,
  verifyTwilioRequest,
} from '../../../../lambdas/domain/providers/twilio-signature.js';

/**
 * The vectors Twilio's helper libraries pin in their RequestValidator tests (https://github.com/twilio/twilio-php
 * RequestValidatorTest, https://github.com/twilio/twilio-csharp RequestValidatorTest; the same example as
 * https://www.twilio.com/docs/usage/security): auth token 12345, this URL and these parameters.
 */
const authToken = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

const verify = (
  header: string | undefined,
  at = url,
  form: Record<string, string | string[]> = params,
  token = authToken
) =>
  verifyTwilioRequest({
    authToken: token,
    headers: { 'X-Twilio-Signature': header },
    url: at,
    params: form,
  });

describe('verifyTwilioRequest', () => {
  it('signs and accepts the documented vector', () => {
    expect(signTwilioRequest(authToken, url, params)).toBe(signature);
    expect(verify(signature)).toEqual({ valid: true });
  });

  it('accepts the vector from the raw form body, in any parameter order', () => {
    const rawBody =
      'To=%2B18005551212&Digits=1234&From=%2B14158675309&Caller=%2B14158675309&CallSid=CA1234567890ABCDE';
    expect(verify(signature, url, parseTwilioForm(rawBody))).toEqual({ valid: true });
  });

  it('accepts the repeated-parameter vector (values deduplicated and sorted)', () => {
    const repeated = parseTwilioForm(
      'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234'
    );
    expect(repeated.Digits).toEqual(['5678', '1234', '1234']);
    expect(verify('IK+Dwps556ElfBT0I3Rgjkr1wJU=', url, repeated)).toEqual({ valid: true });
  });

  it('accepts a signature made with or without the port, as the helper libraries do', () => {
    // https with :443 added by Twilio's side; http with :80 added; a URL with a port, signed without it.
    expect(verify('kvajT1Ptam85bY51eRf/AJRuM3w=')).toEqual({ valid: true });
    expect(verify('0ZXoZLH/DfblKGATFgpif+LLRf4=', url.replace('https', 'http'))).toEqual({
      valid: true,
    });
    expect(verify(signature, url.replace('.com', '.com:1234'))).toEqual({ valid: true });
    expect(
      verify(
        'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
        url.replace('.com', '.com:1234').replace('https', 'http')
      )
    ).toEqual({
      valid: true,
    });
  });

  it('covers credentials in the URL, with and without the default port', () => {
    const withCredentials = 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2';
    expect(verify('ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=', withCredentials)).toEqual({ valid: true });
    expect(
      verify(
        'CukzLTc1tT5dXEDIHm/tKBanW10=',
        'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2'
      )
    ).toEqual({
      valid: true,
    });
  });

  it('refuses a changed parameter, a changed query string (our correlation id), a wrong token', () => {
    expect(verify(signature, url, { ...params, Digits: '9999' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(signature, `${url}&stepAttemptId=other`)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(signature, url, params, '54321')).toEqual({ valid: false, reason: 'mismatch' });
    expect(verify('FAIL')).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a missing header and an unreadable URL', () => {
    expect(verify(undefined)).toEqual({ valid: false, reason: 'missing' });
    expect(verify(signature, '/myapp.php?foo=1')).toEqual({ valid: false, reason: 'malformed' });
  });

  it('round-trips the status callback URL our adapter gives Twilio', () => {
    const callback =
      'https://abc123.execute-api.us-east-1.amazonaws.com/prod/providers/twilio/status?stepAttemptId=a-1';
    const form = { CallSid: 'CA1', CallStatus: 'completed', AnsweredBy: 'human' };
    expect(verify(signTwilioRequest('token', callback, form), callback, form, 'token')).toEqual({
      valid: true,
    });
  });
});

describe('verifyTwilioJsonRequest', () => {
  // twilio-php RequestValidatorTest: testValidateBody / testValidateWithBody.
  const body = '{"property": "value", "boolean": true}';
  const bodyHash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
  const bodyUrl = `${url}&bodySHA256=${bodyHash}`;
  const bodySignature = 'a9nBmqA0ju/hNViExpshrM61xv4=';
  const verifyJson = (header: string | undefined, at = bodyUrl, rawBody = body) =>
    verifyTwilioJsonRequest({
      authToken,
      headers: { 'x-twilio-signature': header },
      url: at,
      rawBody,
    });

  it('accepts the documented vector: the URL signed with no parameters, the body by its hash', () => {
    expect(verifyJson(bodySignature)).toEqual({ valid: true });
  });

  it('refuses a changed body, a URL without bodySHA256, a missing header', () => {
    expect(verifyJson(bodySignature, bodyUrl, '{"property": "other", "boolean": true}')).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyJson(signature, url)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyJson(undefined)).toEqual({ valid: false, reason: 'missing' });
    expect(verifyJson('FAIL')).toEqual({ valid: false, reason: 'mismatch' });
  });
});
