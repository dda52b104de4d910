/**
 * A request refused for what it asked, not for a fault of ours: bad input,
 * something that does not exist, or a change the current state forbids.
 * The code says which; the console API turns it into an HTTP status in one
 * place (apiGuards), the CLI into a usage error, never by reading the
 * message.
 */
export type RefusalCode = 'invalid' | 'not_found' | 'conflict';

export class Refusal extends Error {
  constructor(
    message: string,
    readonly code: RefusalCode = 'invalid',
  ) {
    super(message);
    this.name = new.target.name;
  }
}
