import { z } from 'zod';

/**
 * AWS End User Messaging SMS (pinpoint-sms-voice-v2) records: the delivery event
 * (https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-features-messaging-events.html),
 * which arrives as an SNS message body or as an EventBridge event's `detail`, and the two-way
 * inbound payload (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html).
 */
export const awsSmsEventSchema = z.looseObject({
  /** TEXT_DELIVERED, TEXT_INVALID, VOICE_BUSY, … (`EventType` in the service model). */
  eventType: z.string().min(1),
  /** Whether a later event can follow for this message: the one terminal signal. */
  isFinal: z.boolean().optional(),
  messageId: z.string().min(1),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  destinationPhoneNumber: z.string().optional(),
  /** The `Context` map sent with SendTextMessage: our step attempt id. */
  context: z.record(z.string(), z.string()).optional(),
});
export type AwsSmsEvent = z.infer<typeof awsSmsEventSchema>;

export const awsInboundSmsSchema = z.looseObject({
  /** The customer's number. */
  originationNumber: z.string().min(1),
  /** Ours. */
  destinationNumber: z.string().optional(),
  /** The registered keyword the message matched, if any. */
  messageKeyword: z.string().optional(),
  messageBody: z.string().default(''),
  inboundMessageId: z.string().optional(),
  previousPublishedMessageId: z.string().optional(),
});
export type AwsInboundSms = z.infer<typeof awsInboundSmsSchema>;

/**
 * The JSON body SNS posts to an HTTPS subscriber
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
 */
export const snsMessageSchema = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().optional(),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.string().min(1),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});
export type SnsMessage = z.infer<typeof snsMessageSchema>;
