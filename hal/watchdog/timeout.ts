// Timeout argument checks shared by the Linux driver and the sim.
import { HalError } from '../errors.ts';
import { MAX_TIMEOUT_S, MIN_TIMEOUT_S } from './uapi.ts';

export function validateTimeoutSeconds(device: string, seconds: unknown): number {
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds < MIN_TIMEOUT_S ||
    seconds > MAX_TIMEOUT_S
  ) {
    throw new HalError(
      'invalid-argument',
      device,
      `watchdog timeout must be an integer in ${MIN_TIMEOUT_S}..${MAX_TIMEOUT_S} s, got ${String(seconds)}`,
    );
  }
  return seconds;
}
