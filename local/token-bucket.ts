/**
 * A token bucket in real time: `burst` tokens, refilled at `perSecond`. Step Functions limits
 * StartExecution this way per account and region (us-east-1: a bucket of 1,300, refilled at
 * 300 per second; https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html),
 * and the local endpoint enforces the same, so a burst of creates meets the throttling it
 * would meet on AWS.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    readonly burst: number,
    readonly perSecond: number
  ) {
    this.tokens = burst;
  }

  /** Takes a token; false when the bucket is empty (the caller is throttled). */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
