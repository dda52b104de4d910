/**
 * The demo history reads the simulated agents in process; it must read what
 * the same agents answer over SNMP on UDP. Both read the whole demo city at
 * the same simulated moments, devices silenced by an outage included.
 */
import { expect } from 'chai';
import { Collector } from '../../collectors/collector.ts';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { REAL_REFRESH_DETECTION } from '../../collectors/poll/devicePoller.ts';
import { InProcessClient } from '../../collectors/snmp/inProcessClient.ts';
import { DEFAULT_CLIENT_OPTIONS } from '../../collectors/snmp/snmpClient.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { ManualClock } from '../../sim/clock.ts';
import { Simulator } from '../../sim/simulator.ts';
import { TEST_SECRETS } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

describe('in-process reads of the simulated agents', function () {
  this.timeout(60_000);

  it('give what the same agents answer over UDP: every interface reading, the devices that answer and those that do not', async () => {
    const topology = await loadTopology('topology.yaml');
    const dir = await tempDir('in-process');
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 2, 0));
    const log = memoryLogger();
    const sim = await Simulator.start({ topology, secrets: TEST_SECRETS, log, truthDir: dir.path, truthTraffic: false, basePort: 0, clock });
    const collectorOf = (inProcess: boolean) =>
      new Collector({
        topology,
        endpoints: new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }])),
        credentials: credentialsFor(topology, TEST_SECRETS),
        production: false,
        sink: null,
        live: new LiveState(),
        log,
        now: () => clock.current,
        intervalMs: 300_000,
        refreshDetection: { ...REAL_REFRESH_DETECTION, enabled: false },
        client: { ...DEFAULT_CLIENT_OPTIONS, timeoutMs: 250, retries: 0 },
        ...(inProcess ? { clientFor: (id: string) => new InProcessClient(`device ${id}`, sim.agents.get(id)!) } : {}),
      });
    const [wire, direct] = [collectorOf(false), collectorOf(true)];
    try {
      const checked = sim.check({ fault: 'link-down', circuit: 'HY-HNX' });
      if (!checked.ok) throw new Error(checked.error);
      let silenced = 0;
      for (let step = 0; step < 3; step++) {
        clock.current += 300_000;
        if (step === 1) sim.inject(checked.fault);
        for (const id of wire.pollers.keys()) {
          const [a, b] = [await wire.pollDevice(id), await direct.pollDevice(id)];
          expect(b.poll.reachable, `${id} reachable`).to.equal(a.poll.reachable);
          if (!a.poll.reachable) silenced++;
          expect(b.poll.uptimeCs, `${id} sysUpTime`).to.equal(a.poll.uptimeCs);
          expect(
            b.poll.interfaces.map((i) => i.reading),
            `${id} readings`,
          ).to.deep.equal(a.poll.interfaces.map((i) => i.reading));
          expect(
            b.poll.interfaces.map((i) => i.ifName),
            `${id} ifName`,
          ).to.deep.equal(a.poll.interfaces.map((i) => i.ifName));
        }
      }
      // The uplink's outage silenced the devices behind it, both ways alike.
      expect(silenced).to.be.at.least(1);
    } finally {
      await wire.stop();
      await direct.stop();
      await sim.stop();
      await dir.remove();
    }
  });
});
