// The transport's typed error: a HalError that also carries whatever the
// kernel told us (errno, host_status, driver_status) so logs and the failover
// logic can tell "path gone" from "bus busy" without parsing messages.
import { HalError } from '../../errors.ts';
import type { HalErrorCode } from '../../errors.ts';

export interface SgErrorDetail {
  readonly errno?: number;
  readonly hostStatus?: number;
  readonly driverStatus?: number;
}

export class SgError extends HalError {
  readonly errno: number | undefined;
  readonly hostStatus: number | undefined;
  readonly driverStatus: number | undefined;

  constructor(
    code: HalErrorCode,
    device: string,
    message: string,
    detail: SgErrorDetail = {},
    options?: ErrorOptions,
  ) {
    super(code, device, message, options);
    this.name = 'SgError';
    this.errno = detail.errno;
    this.hostStatus = detail.hostStatus;
    this.driverStatus = detail.driverStatus;
  }
}
