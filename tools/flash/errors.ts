// Every refusal of the flash tool is a FlashError: the CLI prints its message
// alone (no stack), since each one already names what is wrong and where.
export class FlashError extends Error {
  override readonly name = 'FlashError';
}
