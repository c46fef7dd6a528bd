// Typed errors of the iSCSI transport. Callers branch on HalError.code; the
// subclasses add the iSCSI detail (what was malformed, which login status).
import { HalError } from '../../errors.ts';

/** The peer sent bytes that break RFC 7143 (or our negotiated limits). */
export class IscsiProtocolError extends HalError {
  constructor(device: string, message: string, options?: ErrorOptions) {
    super('protocol', device, message, options);
    this.name = 'IscsiProtocolError';
  }
}

/** A command, connect, login or logout did not complete in time. */
export class IscsiTimeoutError extends HalError {
  constructor(device: string, message: string, options?: ErrorOptions) {
    super('timeout', device, message, options);
    this.name = 'IscsiTimeoutError';
  }
}

/** The TCP connection is gone (or was never there); the command did not complete. */
export class IscsiDisconnectedError extends HalError {
  constructor(device: string, message: string, options?: ErrorOptions) {
    super('disconnected', device, message, options);
    this.name = 'IscsiDisconnectedError';
  }
}

/** The target refused the login (status class/detail from the Login Response). */
export class IscsiLoginError extends HalError {
  readonly statusClass: number;
  readonly statusDetail: number;

  constructor(device: string, statusClass: number, statusDetail: number, message: string) {
    super('io', device, message);
    this.name = 'IscsiLoginError';
    this.statusClass = statusClass;
    this.statusDetail = statusDetail;
  }
}

/** A configuration value is missing or wrong; `field` names it. */
export class IscsiConfigError extends HalError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid-argument', 'iscsi-config', `${field}: ${message}`);
    this.name = 'IscsiConfigError';
    this.field = field;
  }
}
