/**
 * Pacing's stored shapes, shared by the domain rules (domain/pacing.ts) and the items that hold
 * them (adapters/slots.ts, adapters/slot-queue.ts).
 */

/** Calls and texts are paced apart: providers cap them apart, and a text holds its slot briefly. */
export type SlotKind = 'CALL' | 'TEXT';

/** Holders of an organization's slots of one kind: step attempt id → lease end (epoch ms). */
export type Holders = Record<string, number>;

/**
 * Stride scheduling state: each bucket's pass, and the virtual time (the pass of the latest
 * choice). A bucket's pass grows by 100 / its percentage each time it is chosen, so over many
 * choices each bucket is chosen in proportion to its percentage.
 */
export interface Shares {
  passes: Record<string, number>;
  virtualTime: number;
}
