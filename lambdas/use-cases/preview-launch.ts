import { v5 as uuidv5 } from 'uuid';
import { getWorkflow } from '../adapters/workflow-repository.js';
import { type Candidates, candidatesOf } from '../domain/recipient-zones.js';
import type { CreateExecution, Execution } from '../schemas/execution.js';
import type { Workflow } from '../schemas/workflow.js';
import { AppError } from '../shared/errors.js';
import { type LeadInput, refusalOf } from './bulk-create.js';
import { draftExecution } from './executions.js';
import { type SimulatedStep, simulateRun } from './launch-simulation.js';
import { complianceScreen } from './lead-screen.js';

/** What the preview assumes about outcomes, stated in every answer. */
export const PREVIEW_ASSUMPTION =
  'Every step is dispatched at its planned instant and reports then an outcome that neither ' +
  'finishes the run nor repeats the step (assumedOutcome), so every step runs. A real outcome ' +
  'arrives later by the length of the contact, which delays a next step that falls due inside ' +
  'an open window by as much; a step deferred to a window opening keeps its instant.';

export interface LeadPreview {
  /** The lead's position in the request. */
  index: number;
  customerLeadId: string | null;
  /** The phone as it would be stored (E.164); null when the lead is invalid. */
  phone: string | null;
  /** The recipient's candidate zones and states; null when the lead is invalid. */
  candidates: Candidates | null;
  steps: SimulatedStep[];
  /**
   * Why the lead would not be contacted at all (invalid, screened, or no window for its first
   * step), or, with a later `stepIndex`, why its run would fail at that step.
   */
  blocked?: { reason: string; stepIndex?: number };
}

export interface LaunchPreview {
  workflowId: string;
  /** An inactive workflow previews as if activated now; creating runs needs it active. */
  workflowActive: boolean;
  previewedAt: string;
  assumption: string;
  summary: {
    total: number;
    /** Leads whose first step would contact them. */
    contactable: number;
    /** Leads never contacted. */
    blocked: number;
    /** Contactable leads whose run would fail at a later step without a window. */
    incomplete: number;
    /** Over every contactable lead's first step. */
    earliestFirstContactAt: string | null;
    latestFirstContactAt: string | null;
    /** The last planned contact of any step of any lead. */
    latestContactAt: string | null;
  };
  leads: LeadPreview[];
}

/**
 * Why leads would not be contacted although their schedule allows it: one reason or undefined
 * per lead, in order. By default the organization's do-not-contact list and emergency stops
 * (lead-screen.ts).
 */
export type LeadScreen = (
  organizationId: string,
  leads: CreateExecution[]
) => Promise<Array<string | undefined>>;

/** Namespace of preview draft ids: uuidv5(workflow, phone, lead) names the same draft each time. */
const PREVIEW_DRAFT_NAMESPACE = '3b0f6a52-8d1e-4c57-9a8e-51c2d7f04b6e';

/**
 * The draft's id. A run's place in the dispatch spread hashes its id, which a run gets only
 * when it is created; a stable id at least makes a preview repeat itself exactly.
 */
function draftIdOf(workflowId: string, lead: CreateExecution): string {
  return uuidv5(
    `${workflowId}:${lead.primaryPhone}:${lead.customerLeadId}`,
    PREVIEW_DRAFT_NAMESPACE
  );
}

/** One valid lead, planned from its draft run exactly as creation would plan it. */
function previewLead(
  organizationId: string,
  workflow: Workflow,
  index: number,
  lead: CreateExecution,
  now: Date,
  screenedOut: string | undefined
): LeadPreview {
  const identity = { index, customerLeadId: lead.customerLeadId, phone: lead.primaryPhone };
  let draft: Execution;
  try {
    draft = draftExecution(organizationId, workflow, lead, now, draftIdOf(workflow.id, lead));
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return { ...identity, candidates: null, steps: [], blocked: { reason: refusalOf(error) } };
  }
  const candidates = candidatesOf(draft);
  if (screenedOut) return { ...identity, candidates, steps: [], blocked: { reason: screenedOut } };
  return { ...identity, candidates, ...simulateRun(draft, now) };
}

/**
 * Launch preview: for each lead, when each step of the workflow would first contact it if the
 * leads were created now, and why not earlier; or why it would not be contacted. Reads the
 * workflow (another organization's is not found) and writes nothing: no run, no pointer, no
 * idempotency record. Invalid leads are reported one by one, as bulk create does.
 */
export async function previewLaunch(
  organizationId: string,
  workflowId: string,
  leads: LeadInput[],
  now: Date,
  screen: LeadScreen = complianceScreen
): Promise<LaunchPreview> {
  const workflow = await getWorkflow(organizationId, workflowId);
  const valid = leads.flatMap((input) => ('lead' in input ? [input.lead] : []));
  const screened = await screen(organizationId, valid);
  let validIndex = 0;
  const previews = leads.map((input, index): LeadPreview => {
    if ('error' in input) {
      const { customerLeadId, error: reason } = input;
      return {
        index,
        customerLeadId,
        phone: null,
        candidates: null,
        steps: [],
        blocked: { reason },
      };
    }
    const screenedOut = screened[validIndex++];
    return previewLead(organizationId, workflow, index, input.lead, now, screenedOut);
  });
  return {
    workflowId,
    workflowActive: workflow.active,
    previewedAt: now.toISOString(),
    assumption: PREVIEW_ASSUMPTION,
    summary: summarize(previews),
    leads: previews,
  };
}

function summarize(previews: LeadPreview[]): LaunchPreview['summary'] {
  const contacted = previews.filter((preview) => preview.steps[0]?.firstContactAt);
  const first = contacted.map((preview) => preview.steps[0]?.firstContactAt as string).sort();
  const all = contacted
    .flatMap((preview) => preview.steps.flatMap((step) => step.firstContactAt ?? []))
    .sort();
  return {
    total: previews.length,
    contactable: contacted.length,
    blocked: previews.length - contacted.length,
    incomplete: contacted.filter((preview) => preview.blocked).length,
    earliestFirstContactAt: first[0] ?? null,
    latestFirstContactAt: first.at(-1) ?? null,
    latestContactAt: all.at(-1) ?? null,
  };
}
