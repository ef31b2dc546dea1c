import { z } from 'zod';
import type { PreviewRoute } from '../schemas/routes.js';
import { previewLaunch } from '../use-cases/preview-launch.js';
import { parseLead } from './execution-routes.js';
import { json, parseBody } from './http.js';
import { idParameter, type Route } from './route.js';

/** The most leads one preview plans: a campaign's worth, answered in one request. */
export const MAX_PREVIEW_LEADS = 1000;

/** 1,000 leads in the bulk shape with a few variables each fit; far below API Gateway's 10 MB. */
export const MAX_PREVIEW_BODY_BYTES = 1024 * 1024;

/** Bulk create's body with up to 1,000 leads, each validated on its own. */
const previewSchema = z.strictObject({
  leads: z.array(z.unknown()).min(1).max(MAX_PREVIEW_LEADS),
});

/**
 * Launch preview. Plans and writes nothing, so an Idempotency-Key is ignored (there is
 * nothing to replay); it counts against the organization's request limit like any request.
 */
export const previewHandlers: Record<PreviewRoute, Route> = {
  'POST /api/v1/workflow/{id}/execution/preview': async (event, org) => {
    const { leads } = parseBody(event, previewSchema, MAX_PREVIEW_BODY_BYTES);
    const preview = await previewLaunch(
      org,
      idParameter(event, 'id'),
      leads.map(parseLead),
      new Date()
    );
    return json(200, preview);
  },
};
