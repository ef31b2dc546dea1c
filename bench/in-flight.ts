/**
 * The most attempts in flight at once, from each attempt's recorded handoff to the channel and
 * its outcome (both inside the time it held its pacing slot). At one instant an outcome counts
 * before a handoff: the slot was released before it was reused.
 */
export function peakInFlight(
  attempts: ReadonlyArray<{ handedOverAt: string; completedAt: string }>
) {
  const edges = attempts.flatMap((attempt) => [
    { at: Date.parse(attempt.handedOverAt), delta: 1 },
    { at: Date.parse(attempt.completedAt), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let inFlight = 0;
  let peak = 0;
  for (const edge of edges) {
    inFlight += edge.delta;
    peak = Math.max(peak, inFlight);
  }
  return peak;
}
