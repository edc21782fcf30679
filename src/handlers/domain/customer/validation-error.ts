/** Customer data failed local validation; nothing was sent. */
export class CustomerValidationError extends Error {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`Invalid customer ${field}: ${reason}`);
    this.name = 'CustomerValidationError';
    this.field = field;
    this.reason = reason;
  }
}
