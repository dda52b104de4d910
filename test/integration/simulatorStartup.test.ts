/**
 * Starting the simulated network: scenario files (checked, then applied on
 * their timeline), and clear errors for a port already in use.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { InputFileError } from '../../shared/input/diagnostics.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { loadScenario } from '../../sim/scenario/scenarioFile.ts';
import { Simulator } from '../../sim/simulator.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { waitFor } from '../support/processes.ts';
import { TEST_SECRETS } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

describe('starting the simulated network', function () {
  this.timeout(60_000);
  let topology: Topology;
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });
  beforeEach(async () => {
    dir = await tempDir('simstart');
  });
  afterEach(() => dir.remove());

  it('rejects a scenario naming unknown circuits or devices, with every problem located', async () => {
    const file = 'test/fixtures/scenarios/bad.yaml';
    const err = await loadScenario(file, topology).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InputFileError);
    const lines = (err as InputFileError).diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`);
    expect(lines).to.deep.equal([
      '4:16 counters[0].circuit: unknown circuit "HY-NOPE"',
      '6:44 timeline[0].circuit: unknown circuit "HY-MISSING"',
      '7:40 timeline[1].device: unknown or unmanaged device "nobody-rtr"',
      '8:11 timeline[2].at: "soon" is not a time: write +10m (after the start) or 2026-11-23T09:30:00+08:00',
      '9:5 timeline[3]: missing required key "for"',
      '10:23 timeline[4].fault: must be one of "link-down", "link-up", "flap", "unreachable", "reachable", "reboot", "counter-reset", "loss", "errors", "degrade", got string "explode"',
      '11:1 colour: unknown key "colour"',
    ]);
  });

  it('plays a scenario: each fault at its simulated time, as the ground truth shows', async () => {
    const scenario = await loadScenario('test/fixtures/scenarios/county-outage.yaml', topology);
    const truthDir = join(dir.path, 'truth');
    const sim = await Simulator.start({ topology, secrets: TEST_SECRETS, log: memoryLogger(), truthDir, basePort: 0, scenario });
    expect(sim.clock.speed).to.equal(600);
    const start = Date.parse('2026-11-23T09:30:00+08:00');
    await waitFor('eleven simulated minutes', () => sim.clock.now() > start + 11 * 60_000, 20_000);
    await sim.stop();
    const t = await GroundTruth.read(truthDir);
    const times = (kind: Parameters<GroundTruth['eventsOf']>[0], key: string) =>
      t
        .eventsOf(kind)
        .filter((e) => ('circuit' in e ? e.circuit : 'device' in e ? e.device : '') === key)
        .map((e) => e.ms - start);
    expect(times('link-down', 'HY-HYX')).to.deep.equal([30_000]);
    expect(times('link-up', 'HY-HYX')).to.deep.equal([150_000]);
    expect(times('reboot-start', 'hy-hbj-cpe')).to.deep.equal([300_000]);
    expect(times('boot', 'hy-hbj-cpe')).to.deep.equal([345_000]);
    expect(times('link-down', 'HY-D-HBJ')).to.deep.equal([300_000]);
    // Twelve errors a second for a minute on the Z end.
    expect(t.total('HY-D-MZJ', 'z_in_errors', start, start + 11 * 60_000)).to.equal(12 * 60);
  });

  it('names the device whose port is taken, and leaves no agent running', async () => {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', () => r()));
    const taken = squatter.address().port;
    const managed = topology.devices.filter((d) => d.managed);
    // Device 3 would get the taken port.
    const base = taken - 3;
    try {
      const err = await Simulator.start({ topology, secrets: TEST_SECRETS, log: memoryLogger(), truthDir: join(dir.path, 't'), basePort: base }).catch(
        (e: Error) => e,
      );
      expect((err as Error).message).to.equal(`device ${managed[3]!.id}: UDP port 127.0.0.1:${taken} is already in use`);
      // The agents started before it were closed again: their ports are free.
      for (let p = base; p < taken; p++) {
        const probe = dgram.createSocket('udp4');
        await new Promise<void>((res, rej) => {
          probe.once('error', rej);
          probe.bind(p, '127.0.0.1', () => res());
        });
        probe.close();
      }
    } finally {
      squatter.close();
    }
  });

  it('names the credential a device lacks, never a value', async () => {
    const err = await Simulator.start({ topology, secrets: { env: {} }, log: memoryLogger(), truthDir: join(dir.path, 't'), basePort: 0 }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).to.equal(
      'device hy-core-1: snmp profile core-v3: environment variable NMS_SNMP_CORE_AUTH_KEY is not set (export NMS_SNMP_CORE_AUTH_KEY=...)',
    );
  });
});
