import { z } from 'zod';

/**
 * Vapi server messages, `{ message: { type, … } }` (https://docs.vapi.ai/server-url/events), as far
 * as outcome mapping reads them. Loose objects and plain strings throughout: the `endedReason`
 * enum (`ServerMessageEndOfCallReportEndedReason` in @vapi-ai/server-sdk) has hundreds of values
 * and grows with every release.
 */

const vapiCustomerSchema = z.looseObject({
  number: z.string().nullish(),
  /** At most 40 characters; our step attempt id fits. */
  externalId: z.string().nullish(),
});

export const vapiCallSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().nullish(),
  customer: vapiCustomerSchema.nullish(),
  /** Echoes the overrides sent with `POST /call`; `metadata` carries our step attempt id. */
  assistantOverrides: z.looseObject({ metadata: z.unknown().optional() }).nullish(),
});

/** `artifact.structuredOutputs`: output id → `{ name, result }`. */
const vapiStructuredOutputSchema = z.looseObject({
  name: z.string().nullish(),
  result: z.unknown().optional(),
});

export const vapiMessageSchema = z.looseObject({
  /** `end-of-call-report`, `status-update`, `tool-calls`, `hang`, … */
  type: z.string().min(1),
  call: vapiCallSchema,
  /** On `status-update`: `scheduled | queued | ringing | in-progress | forwarding | ended`. */
  status: z.string().nullish(),
  endedReason: z.string().nullish(),
  customer: vapiCustomerSchema.nullish(),
  artifact: z
    .looseObject({
      structuredOutputs: z.record(z.string(), vapiStructuredOutputSchema).nullish(),
      transfers: z.array(z.unknown()).nullish(),
    })
    .nullish(),
  /** The deprecated `analysisPlan` results. */
  analysis: z.looseObject({ structuredData: z.unknown().optional() }).nullish(),
  startedAt: z.string().nullish(),
  endedAt: z.string().nullish(),
});

export const vapiServerMessageSchema = z.looseObject({ message: vapiMessageSchema });
export type VapiServerMessage = z.infer<typeof vapiServerMessageSchema>;
