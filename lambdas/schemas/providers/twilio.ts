import { z } from 'zod';

/**
 * Twilio's status callbacks: form-encoded POSTs whose parameters are PascalCase strings
 * (https://www.twilio.com/docs/voice/api/call-resource,
 * https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks).
 * Loose: Twilio sends many more parameters (From, To, ApiVersion, …) than mapping needs.
 */

/** A voice status callback, or an async AMD callback (which carries `AnsweredBy` and no `CallStatus`). */
export const twilioCallCallbackSchema = z.looseObject({
  CallSid: z.string().min(1),
  /** `call_enum_status`: queued, ringing, in-progress, completed, busy, failed, no-answer, canceled. */
  CallStatus: z.string().optional(),
  /** With `MachineDetection`: human, machine_start, machine_end_beep|silence|other, fax, unknown. */
  AnsweredBy: z.string().optional(),
  SipResponseCode: z.string().optional(),
  CallDuration: z.string().optional(),
});
export type TwilioCallCallback = z.infer<typeof twilioCallCallbackSchema>;

export const twilioMessageCallbackSchema = z.looseObject({
  MessageSid: z.string().min(1),
  /** `message_enum_status`: queued, sending, sent, failed, delivered, undelivered, read, … */
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
});
export type TwilioMessageCallback = z.infer<typeof twilioMessageCallbackSchema>;

/** An inbound text to one of our numbers (the number's messaging webhook). */
export const twilioInboundMessageSchema = z.looseObject({
  From: z.string().min(1),
  To: z.string().optional(),
  Body: z.string().default(''),
  /** With Advanced Opt-Out: STOP, START or HELP. */
  OptOutType: z.string().optional(),
});
export type TwilioInboundMessage = z.infer<typeof twilioInboundMessageSchema>;
