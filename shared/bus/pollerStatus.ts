/** A city poller as the centre sees it: what /api/pollers serves and the console shows. */
import type { PollerHeartbeat } from './observationMessages.ts';

export interface PollerStatus {
  name: string;
  /** The sites it was given (centre.pollers[].sites). */
  sites: string[];
  devicesOwned: number;
  circuitsOwned: number;
  /** When the centre last had a message from it (centre clock); null: not since the centre started. */
  lastHeardAtMs: number | null;
  /**
   * How far behind the centre's picture of its share is: now less when the
   * newest thing it said was observed. A few seconds normally; the length of
   * the cut while its uplink is down; falling fast while it replays.
   */
  lagMs: number | null;
  /** Its latest heartbeat: its own queue and spool depths. */
  heartbeat: PollerHeartbeat | null;
  /** Messages in its stream the centre's stream has not yet taken (JetStream's source lag), when last asked. */
  backlog: number | null;
  silent: boolean;
}
