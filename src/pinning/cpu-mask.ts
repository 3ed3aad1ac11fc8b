/**
 * glibc `cpu_set_t` helpers shared by the FFI adapters: 1024 bits, CPU c is bit `c & 7` of byte `c >> 3`.
 *
 * @module
 */

/** Size in bytes of glibc's `cpu_set_t`. */
export const CPU_MASK_BYTES = 128;

/**
 * Builds a `cpu_set_t` with the given CPUs set.
 *
 * @example
 * ```ts
 * cpuMask([1])[0]; // 2
 * ```
 */
export function cpuMask(cpus: readonly number[]): Uint8Array {
  const mask = new Uint8Array(CPU_MASK_BYTES);
  for (const cpu of cpus) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= CPU_MASK_BYTES * 8) throw new RangeError(`CPU id out of range: ${cpu}`);
    mask[cpu >> 3] |= 1 << (cpu & 7);
  }
  return mask;
}

/**
 * Lists the CPUs set in a `cpu_set_t`.
 *
 * @example
 * ```ts
 * cpusOfMask(cpuMask([0, 3])); // [0, 3]
 * ```
 */
export function cpusOfMask(mask: Uint8Array): number[] {
  const cpus: number[] = [];
  for (let cpu = 0; cpu < mask.length * 8; cpu++) if (mask[cpu >> 3] & (1 << (cpu & 7))) cpus.push(cpu);
  return cpus;
}
