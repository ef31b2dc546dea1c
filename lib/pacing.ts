import { envNames } from '../lambdas/shared/config.js';

/** Burst safety and request limits of the service stack (README "Request limits", "Burst spread"). */
export interface PacingProps {
  /** Per-organization API request limit. @default 50 per second, bursts of 100 (config.ts) */
  requestLimit?: { perSecond: number; burst: number };
  /** Runs waking at one window opening are dispatched over this many seconds. @default 60 */
  dispatchSpreadSeconds?: number;
  /**
   * Concurrency reserved for Dispatch: at most this many contacts are handed over at once, and
   * other functions always keep the rest of the account's pool. 0 reserves none.
   * @default 50
   */
  dispatchConcurrency?: number;
}

/** The same settings as `cdk deploy -c` context values. */
export interface PacingContext {
  /** Per-organization requests per second and burst (both or neither). */
  orgRequestRate?: string;
  orgRequestBurst?: string;
  dispatchSpreadSeconds?: string;
  /** 0 reserves none. */
  dispatchConcurrency?: string;
}

const DEFAULT_DISPATCH_CONCURRENCY = 50;

/** A numeric context value; anything but a non-negative number stops the synth, naming the key. */
function numberContext(key: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new Error(`Context ${key} must be a non-negative number (got ${value})`);
  return number;
}

/** The context's pacing settings, as stack props. */
export function pacingProps(
  context: (key: keyof PacingContext) => string | undefined
): PacingProps {
  const rate = numberContext('orgRequestRate', context('orgRequestRate'));
  const burst = numberContext('orgRequestBurst', context('orgRequestBurst'));
  if ((rate === undefined) !== (burst === undefined))
    throw new Error('Set both orgRequestRate and orgRequestBurst, or neither');
  return {
    requestLimit:
      rate !== undefined && burst !== undefined ? { perSecond: rate, burst } : undefined,
    dispatchSpreadSeconds: numberContext('dispatchSpreadSeconds', context('dispatchSpreadSeconds')),
    dispatchConcurrency: numberContext('dispatchConcurrency', context('dispatchConcurrency')),
  };
}

/** Environment for the settings given; unset ones keep config.ts's defaults. */
export function pacingEnvironment(props: PacingProps) {
  const spread: Record<string, string> =
    props.dispatchSpreadSeconds === undefined
      ? {}
      : { [envNames.DISPATCH_SPREAD_SECONDS]: String(props.dispatchSpreadSeconds) };
  const limit: Record<string, string> = props.requestLimit
    ? {
        [envNames.ORG_REQUEST_RATE]: String(props.requestLimit.perSecond),
        [envNames.ORG_REQUEST_BURST]: String(props.requestLimit.burst),
      }
    : {};
  return { spread, limit };
}

export function dispatchReservedConcurrency(props: PacingProps): number | undefined {
  const reserved = props.dispatchConcurrency ?? DEFAULT_DISPATCH_CONCURRENCY;
  return reserved > 0 ? reserved : undefined;
}
