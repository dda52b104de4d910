/**
 * The SLA ledger on a real disk: outages from a root alarm for its own
 * circuit and the ones behind it, unknown time kept apart from up time,
 * planned work excluded, MTTR and the month's budget, all surviving a reopen.
 * Expected figures are worked out by hand below.
 */
import { expect } from 'chai';
import type { Alarm } from '../../shared/alarms/types.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { OutageLedger } from '../../server/alarms/outageLedger.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { inTempDir } from '../support/tempDir.ts';

const H = 3_600_000;
const MIN = 60_000;
const DAY0 = Date.parse('2026-11-01T00:00:00+08:00');

function rootAlarm(topology: Topology, startedAtMs: number, endedAtMs: number | null, maintenance = false): Alarm {
  const behind = topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX')).map((c) => c.id);
  return {
    id: `circuit_down:HY-HYX@${startedAtMs}`,
    key: 'circuit_down:HY-HYX',
    kind: 'circuit_down',
    severity: 'critical',
    subject: { type: 'circuit', id: 'HY-HYX' },
    startedAtMs,
    raisedAtMs: startedAtMs + 1000,
    clearedAtMs: endedAtMs === null ? null : endedAtMs + 60_000,
    endedAtMs,
    ack: null,
    shelvedUntilMs: null,
    impactedCircuits: behind,
    impactedSites: [],
    detail: 'ifOperStatus down at hy-core-1',
    maintenance,
  };
}

describe('outage ledger', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });

  it('computes availability, unknown time, MTTR and the budget, and keeps them across a reopen', async () => {
    await inTempDir('ledger', async (dir) => {
      const log = memoryLogger();
      let ledger = OutageLedger.open(dir.path, topology, log, 3 * MIN);
      const dept = topology.circuits.find((c) => c.upstreamIds.includes('HY-HYX'))!.id;
      // Watched from the start of the month; polled every minute.
      for (let t = DAY0; t <= DAY0 + 10 * H; t += MIN) {
        // No data for HY-HYX between 02:00 and 03:00 (its poller was stopped).
        if (!(t > DAY0 + 2 * H && t < DAY0 + 3 * H)) ledger.observe('HY-HYX', t);
      }
      ledger.recordCleared(rootAlarm(topology, DAY0 + 5 * H, DAY0 + 5 * H + 30 * MIN));
      ledger.recordCleared(rootAlarm(topology, DAY0 + 7 * H, DAY0 + 7 * H + 10 * MIN));
      ledger.recordCleared(rootAlarm(topology, DAY0 + 8 * H, DAY0 + 9 * H, true));
      ledger.close();
      ledger = OutageLedger.open(dir.path, topology, log, 3 * MIN);

      const now = DAY0 + 10 * H;
      const a = ledger.availability('HY-HYX', DAY0, DAY0 + 10 * H, [], now);
      // 10 h: 1 h unknown (02:00–03:00), 1 h planned (08:00–09:00), 40 min down of the 8 h known.
      expect(a.unknownS).to.equal(3600); // from the last poll before (02:00) to the first after (03:00)
      expect(a.maintenanceS).to.equal(3600);
      expect(a.downS).to.equal(40 * 60);
      expect(a.outageCount).to.equal(2);
      expect(a.mttrS).to.equal(20 * 60);
      expect(a.availabilityPct).to.be.closeTo((100 * (a.knownS - 2400)) / a.knownS, 1e-9);
      expect(a.knownS).to.equal(10 * 3600 - a.unknownS - 3600);

      // The department behind it lost the same 40 minutes, caused upstream: charged to HY-HYX, not to its own figure.
      const d = ledger.availability(dept, DAY0, DAY0 + 10 * H, [], now);
      expect(d.upstreamDownS).to.equal(40 * 60);
      expect([d.downS, d.outageCount, d.upstreamOutageCount]).to.deep.equal([0, 0, 2]);
      // Never polled itself here: its own availability is unknown, and its users had only the downtime to go by.
      expect(d.availabilityPct).to.equal(null);
      expect(d.serviceAvailabilityPct).to.equal(0);
      expect(d.outages.map((o) => o.cause)).to.deep.equal(['circuit_down HY-HYX', 'circuit_down HY-HYX', 'circuit_down HY-HYX']);

      // An outage still open counts up to now.
      const open = ledger.availability('HY-HYX', DAY0, DAY0 + 12 * H, [rootAlarm(topology, DAY0 + 11 * H, null)], DAY0 + 11 * H + 15 * MIN);
      expect(open.downS).to.equal(55 * 60);

      // The month's budget at the tier's target.
      const tier = topology.slaTiers.get(topology.circuit('HY-HYX').slaTier)!;
      const monthEnd = Date.parse('2026-12-01T00:00:00+08:00');
      const b = ledger.budget('HY-HYX', DAY0, monthEnd, [], now);
      const allowed = ((100 - tier.availabilityPct) / 100) * ((monthEnd - DAY0) / 1000 - 3600);
      expect(b.allowedDownS).to.be.closeTo(allowed, 1e-6);
      expect(b.remainingS).to.be.closeTo(allowed - 2400, 1e-6);
      ledger.close();
    });
  });

  it('reports unknown, not up, for a period with no data at all', async () => {
    await inTempDir('ledger-empty', async (dir) => {
      const ledger = OutageLedger.open(dir.path, topology, memoryLogger(), 3 * MIN);
      ledger.checkpoint(DAY0);
      ledger.observe('HY-HYX', DAY0 + 5 * H); // first seen five hours after the NMS stopped watching
      const a = ledger.availability('HY-HYX', DAY0, DAY0 + 5 * H, [], DAY0 + 5 * H);
      expect(a.availabilityPct).to.equal(null);
      expect(a.unknownS).to.equal(5 * 3600);
      ledger.close();
    });
  });

  it('raises an SLA budget alarm when a circuit has used up its month, and clears it in the next', async () => {
    await inTempDir('ledger-budget', async (dir) => {
      const log = memoryLogger();
      const journal = AlarmJournal.open(dir.path, log);
      const ledger = OutageLedger.open(dir.path, topology, log);
      let now = Date.parse('2026-11-20T12:00:00+08:00');
      const service = new AlarmService({
        topology,
        rules: DEFAULT_ALARM_RULES,
        journal,
        delivery: new DeliveryQueue([], journal, log),
        live: new LiveState(),
        log,
        notice: { language: 'zh', consoleUrl: 'http://nms.local' },
        now: () => now,
        ledger,
      });
      const tier = topology.slaTiers.get(topology.circuit('HY-HYX').slaTier)!;
      const allowedS = ((100 - tier.availabilityPct) / 100) * 30 * 86_400;
      // One outage a little longer than the whole month allows.
      ledger.recordCleared(rootAlarm(topology, now - 2 * H, now - 2 * H + (allowedS + 60) * 1000));
      service.checkSlaBudgets();
      const budget = service.engine.active().filter((a) => a.kind === 'sla_budget');
      expect(budget.map((a) => a.subject.id)).to.include('HY-HYX');
      expect(budget.find((a) => a.subject.id === 'HY-HYX')!.detail).to.match(/over the \d+ min the [\d.]+% target allows/);
      now = Date.parse('2026-12-01T00:05:00+08:00');
      service.checkSlaBudgets();
      expect(service.engine.active().filter((a) => a.kind === 'sla_budget')).to.deep.equal([]);
      journal.close();
      ledger.close();
    });
  });

  it('records no outage and no SLA loss for a linkDown trap the poll contradicts, and counts it as spurious', async () => {
    await inTempDir('spurious', async (dir) => {
      const log = memoryLogger();
      const journal = AlarmJournal.open(dir.path, log);
      const ledger = OutageLedger.open(dir.path, topology, log);
      const live = new LiveState();
      let now = Date.parse('2026-11-20T12:00:00+08:00');
      const service = new AlarmService({
        topology,
        rules: DEFAULT_ALARM_RULES,
        journal,
        delivery: new DeliveryQueue([], journal, log),
        live,
        log,
        notice: { language: 'zh', consoleUrl: 'http://nms.local' },
        now: () => now,
        ledger,
        tickMs: 3_600_000,
      });
      service.start();
      const weekAgo = now - 7 * 24 * H;
      const poll = (status: 'up' | 'down', at: number, since: number) => {
        for (const d of topology.devices)
          if (d.managed)
            live.updateDevice({
              deviceId: d.id,
              reachable: true,
              responseMs: 5,
              cpuPct: 1,
              memPct: 1,
              uptimeS: 1e6,
              polledFromMs: at - 10,
              updatedAtMs: at,
              error: null,
            });
        for (const c of topology.circuits)
          live.updateCircuit({
            circuitId: c.id,
            status: c.id === 'HY-HYX' ? status : 'up',
            statusSinceMs: since,
            inBps: 1e6,
            outBps: 1e6,
            inUtilPct: 10,
            outUtilPct: 10,
            errorsPerS: 0,
            end: 'a',
            polledFromMs: at - 10,
            updatedAtMs: at,
            note: null,
          });
      };
      poll('up', now, weekAgo);
      service.evaluate();
      const monthStart = Date.parse('2026-11-01T00:00:00+08:00');
      const before = ledger.availability('HY-HYX', monthStart, now + 10 * MIN, service.engine.active(), now + 10 * MIN);
      // A stray linkDown (forged, or a bit flipped on the way); the confirming poll finds the link up for a week.
      now += 1000;
      service.observeTrap({ kind: 'linkDown', deviceId: 'hy-core-1', circuitId: 'HY-HYX', atMs: now });
      expect(service.engine.active().map((a) => a.kind)).to.include('circuit_down');
      now += 3000;
      poll('up', now, weekAgo);
      service.evaluate();
      expect(service.engine.active().filter((a) => a.kind === 'circuit_down')).to.deep.equal([]);
      expect(service.engine.spuriousTraps.get('hy-core-1')).to.equal(1);
      const after = ledger.availability('HY-HYX', monthStart, now + 10 * MIN, service.engine.active(), now + 10 * MIN);
      expect(after.outages).to.deep.equal([]);
      expect(after.downS).to.equal(0);
      expect(after.downS).to.equal(before.downS);
      // Behind the uplink too: no department lost time.
      const dept = topology.circuits.find((c) => c.upstreamIds.includes('HY-HYX'))!.id;
      const behind = ledger.availability(dept, monthStart, now, [], now);
      expect([behind.downS, behind.upstreamDownS]).to.deep.equal([0, 0]);
      service.stop();
      journal.close();
      ledger.close();
    });
  });
});
