/**
 * Single-table key layout (also documented on the table construct and in the README).
 *
 * | entity          | pk                    | sk                    | gsi1pk                | gsi1sk               |
 * |-----------------|-----------------------|-----------------------|-----------------------|----------------------|
 * | organization    | ORG#<orgId>           | ORG                   |                       |                      |
 * | org name index  | ORGNAME#<name>        | ORGNAME               |                       |                      |
 * | API key         | APIKEY#<sha256(key)>  | APIKEY                |                       |                      |
 * | workflow        | ORG#<orgId>           | WORKFLOW#<workflowId> |                       |                      |
 * | execution       | EXECUTION#<id>        | EXECUTION             | WORKFLOW#<workflowId> | EXECUTION#<id>       |
 * | step execution  | STEPEXEC#<id>         | STEPEXEC              |                       |                      |
 *
 * Ids are UUIDv7, so sort keys built from them sort by creation time. Step attempts live inside
 * the execution item (`attempts.<stepIndex>-<attemptNo>`), which makes "claim this attempt
 * unless cancelled" one conditional write; the STEPEXEC item only points back to it.
 */
export const keys = {
  organization: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  organizationName: (name: string) => ({ pk: `ORGNAME#${name}`, sk: 'ORGNAME' }),
  apiKey: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  workflow: (orgId: string, workflowId: string) => ({
    pk: `ORG#${orgId}`,
    sk: `WORKFLOW#${workflowId}`,
  }),
  workflowPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'WORKFLOW#' }),
  execution: (executionId: string) => ({ pk: `EXECUTION#${executionId}`, sk: 'EXECUTION' }),
  executionByWorkflow: (workflowId: string, executionId: string) => ({
    gsi1pk: `WORKFLOW#${workflowId}`,
    gsi1sk: `EXECUTION#${executionId}`,
  }),
  stepExecution: (stepExecutionId: string) => ({
    pk: `STEPEXEC#${stepExecutionId}`,
    sk: 'STEPEXEC',
  }),
};

export const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

export function withoutKeys<T extends Record<string, unknown>>(
  item: T
): Omit<T, (typeof keyAttributes)[number]> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest;
}
