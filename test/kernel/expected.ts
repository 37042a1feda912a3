// Expected results of the workloads, computed independently of the guest.

/** compute's checksum: per round, checksum = checksum * 31 + (sum of primes below 1000), mod 2^32. */
export function computeChecksum(rounds: number): number {
  let c = 0;
  for (let i = 0; i < rounds; i++) c = (Math.imul(c, 31) + 76127) >>> 0;
  return c;
}
