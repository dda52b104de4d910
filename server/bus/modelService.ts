/**
 * The centre answers each poller's ask for its model (topology, share and
 * rules; see shared/bus/pollerModel.ts). Only the pollers of centre.pollers
 * are answered, each with its own share; anyone else is told why not.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { encodeModelRefusal, encodePollerModel, modelSubject, type PollerModel } from '../../shared/bus/pollerModel.ts';
import type { Logger } from '../../shared/log.ts';

export class ModelService {
  readonly #sub: Subscription;
  readonly #encoded: Map<string, Uint8Array>;

  constructor(
    nc: NatsConnection,
    private readonly models: ReadonlyMap<string, PollerModel>,
    log: Logger,
  ) {
    // Encoded once: a province's topology is the larger part of every answer.
    this.#encoded = new Map([...models].map(([name, m]) => [name, encodePollerModel(m)]));
    this.#sub = nc.subscribe(modelSubject('*'), {
      callback: (err, msg) => {
        if (err) return log.warn(`bus: model requests: ${err.message}`);
        const poller = msg.subject.slice(modelSubject('').length);
        const answer = this.#encoded.get(poller);
        if (!answer) log.warn(`bus: poller "${poller}" asked for its model; it is not in centre.pollers`);
        try {
          msg.respond(answer ?? encodeModelRefusal(`no poller "${poller}" in the centre's centre.pollers`));
        } catch (e) {
          // A topology too large for the server's max_payload even gzip'd: said here, where it can be fixed.
          log.error(`bus: answering poller ${poller}'s ask for its model (${answer?.length ?? 0} bytes): ${(e as Error).message}`);
        }
      },
    });
  }

  /** Each poller's model revision, for the beacon: a poller running another fetches the new one. */
  revisions(): Record<string, string> {
    return Object.fromEntries([...this.models].map(([name, m]) => [name, m.revision]));
  }

  stop(): void {
    this.#sub.unsubscribe();
  }
}
