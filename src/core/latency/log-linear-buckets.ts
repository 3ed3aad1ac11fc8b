/**
 * HdrHistogram's bucket math, for recording into shared memory with plain stores: values in nanoseconds
 * from 0 to {@link HIGHEST_TRACKABLE_NANOS} (one hour), 2 significant digits (a value lands in a bucket
 * at most 1 % wide). The indexing is HdrHistogram's own for `lowestDiscernibleValue: 1,
 * numberOfSignificantValueDigits: 2`, so a reader rebuilds an exact `hdr-histogram-js` histogram from
 * the counts (see latency-histograms.ts).
 *
 * @module
 */

/** Sub-buckets per half bucket: 2 significant digits need 200 distinct values, rounded to 256 per bucket. */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;

/** Longest value recorded as itself (1 hour); longer ones count as this. */
export const HIGHEST_TRACKABLE_NANOS = 3_600_000_000_000;

/** Significant digits, as `hdr-histogram-js` calls them. */
export const SIGNIFICANT_DIGITS = 2;

function bucketsNeeded(highest: number): number {
  let smallestUntrackable = 2 * SUB_BUCKET_HALF_COUNT;
  let buckets = 1;
  while (smallestUntrackable <= highest) {
    smallestUntrackable *= 2;
    buckets++;
  }
  return buckets;
}

/** Counts slots a histogram of this range needs (HdrHistogram's `countsArrayLength`). */
export const BUCKET_SLOTS = (bucketsNeeded(HIGHEST_TRACKABLE_NANOS) + 1) * SUB_BUCKET_HALF_COUNT;

const TWO_POW_32 = 4294967296;
const POWERS_OF_TWO = Array.from({ length: 64 }, (_, i) => 2 ** i);

/** ⌊log2 v⌋ for an integer 1 ≤ v < 2^53 (clz32 on the high word past 32 bits: values here reach 2^42). */
function floorLog2(v: number): number {
  return v < TWO_POW_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_POW_32));
}

/**
 * The counts slot of `nanos` (clamped to 0 … {@link HIGHEST_TRACKABLE_NANOS}, fractions dropped).
 *
 * @example
 * ```ts
 * bucketSlot(100);    // 100: below 256 every nanosecond has its own slot
 * bucketSlot(1_000);  // 506: 1000 shares a 4 ns wide bucket with 1001 … 1003
 * ```
 */
export function bucketSlot(nanos: number): number {
  const value = nanos > 0 ? (nanos < HIGHEST_TRACKABLE_NANOS ? Math.floor(nanos) : HIGHEST_TRACKABLE_NANOS) : 0;
  const log2 = value > SUB_BUCKET_MASK ? floorLog2(value) : SUB_BUCKET_HALF_MAGNITUDE;
  const bucket = log2 - SUB_BUCKET_HALF_MAGNITUDE;
  const subBucket = Math.floor(value / POWERS_OF_TWO[bucket]);
  return bucket * SUB_BUCKET_HALF_COUNT + subBucket;
}

/**
 * The lowest value counted in `slot` (HdrHistogram's `valueFromIndex`).
 *
 * @example
 * ```ts
 * slotValue(bucketSlot(1_002)); // 1000
 * ```
 */
export function slotValue(slot: number): number {
  let bucket = (slot >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let subBucket = (slot & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * POWERS_OF_TWO[bucket];
}
