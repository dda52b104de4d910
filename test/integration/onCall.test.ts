/**
 * On-call: the rota by the clock in Asia/Shanghai, escalation of an alarm
 * nobody acknowledges, and quiet hours, through the alarm service with an
 * injected clock and real webhook pushes to a local receiver.
 */
import { expect } from 'chai';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { levelsDue, onCallSchema, onDuty, quietUntil, type OnCallConfig } from '../../server/alarms/onCall.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { buildChannels } from '../../server/notifiers/notifierRegistry.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { tempDir } from '../support/tempDir.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const MIN = 60_000;

const ONCALL = onCallSchema.parse({
  people: [
    { id: 'zhang', name: '张伟', mobile: '13800000001' },
    { id: 'li', name: '李娜', mobile: '13800000002' },
    { id: 'wang', name: '王芳', mobile: '13800000003' },
    { id: 'chen', name: '陈主任', mobile: '13900000009' },
  ],
  rotations: [
    { name: 'duty', handover: '08:30', days: 1, start: '2026-11-23', people: ['zhang', 'li', 'wang'], channels: ['duty-hook'] },
    { name: 'lead', handover: '09:00', days: 7, start: '2026-11-16', people: ['chen'], channels: ['lead-hook'] },
  ],
  escalation: [{ rotation: 'duty' }, { rotation: 'lead', after: '15m' }],
  quietHours: { from: '22:00', to: '07:30', severities: ['major', 'minor', 'warning'] },
});

describe('on call', function () {
  this.timeout(30_000);

  it('knows who is on duty, hand-over included, in Asia/Shanghai', () => {
    const who = (t: string) => onDuty(ONCALL, 'duty', at(t), 'Asia/Shanghai').id;
    expect(who('2026-11-23T08:29:00')).to.equal('wang'); // before the first hand-over: the day before's turn
    expect(who('2026-11-23T08:30:00')).to.equal('zhang');
    expect(who('2026-11-24T03:00:00')).to.equal('zhang'); // through the night until 08:30
    expect(who('2026-11-24T08:30:00')).to.equal('li');
    expect(who('2026-11-26T09:00:00')).to.equal('zhang'); // the rota wraps round
    expect(who('2026-11-22T12:00:00')).to.equal('wang'); // and runs backwards before its start
  });

  it('holds non-critical pushes through quiet hours across midnight, and says until when', () => {
    expect(quietUntil(ONCALL, 'major', at('2026-11-23T23:10:00'), 'Asia/Shanghai')).to.equal(at('2026-11-24T07:30:00'));
    expect(quietUntil(ONCALL, 'major', at('2026-11-24T07:29:30'), 'Asia/Shanghai')).to.equal(at('2026-11-24T07:30:00'));
    expect(quietUntil(ONCALL, 'major', at('2026-11-24T07:30:00'), 'Asia/Shanghai')).to.equal(null);
    expect(quietUntil(ONCALL, 'critical', at('2026-11-23T23:10:00'), 'Asia/Shanghai')).to.equal(null);
  });

  it('refuses a rota naming someone or something that does not exist', () => {
    const bad = onCallSchema.safeParse({
      ...ONCALL,
      rotations: [{ ...ONCALL.rotations[0]!, people: ['zhang', 'nobody'] }],
      escalation: [{ rotation: 'duty' }, { rotation: 'ghost' }],
    });
    expect(bad.success).to.equal(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).to.include('rotations.0.people.1: no person "nobody" under people');
    expect(messages).to.include('escalation.1.rotation: no rotation "ghost"');
    expect(messages).to.include('escalation.1.after: every level after the first needs a delay (after: 15m)');
  });

  describe('through the alarm service', () => {
    let topology: Topology;
    let rx: HttpReceiver;
    let dir: { path: string; remove(): Promise<void> };
    let now = 0;
    let live: LiveState;
    let service: AlarmService;
    let delivery: DeliveryQueue;
    let journal: AlarmJournal;

    before(async () => {
      topology = await loadTopology('topology.yaml');
    });
    beforeEach(async () => {
      rx = await startHttpReceiver();
      dir = await tempDir('oncall');
      journal = AlarmJournal.open(dir.path, memoryLogger());
      const channels = buildChannels(
        [
          { name: 'duty-hook', kind: 'webhook', url: `${rx.url}/duty`, ratePerMinute: 600 },
          { name: 'lead-hook', kind: 'webhook', url: `${rx.url}/lead`, ratePerMinute: 600 },
        ],
        { env: {} },
      );
      delivery = new DeliveryQueue(channels, journal, memoryLogger(), { now: () => now });
      live = new LiveState();
      service = new AlarmService({
        topology,
        rules: DEFAULT_ALARM_RULES,
        journal,
        delivery,
        live,
        log: memoryLogger(),
        notice: { language: 'zh', consoleUrl: 'http://nms.local' },
        now: () => now,
        onCall: ONCALL as OnCallConfig,
      });
      service.start();
    });
    afterEach(async () => {
      service.stop();
      await delivery.idle();
      journal.close();
      await rx.close();
      await dir.remove();
    });

    const down = (circuitId: string, t: number) =>
      live.updateCircuit({
        circuitId,
        status: 'down',
        statusSinceMs: t,
        inBps: null,
        outBps: null,
        inUtilPct: null,
        outUtilPct: null,
        errorsPerS: null,
        end: 'a',
        polledFromMs: t,
        updatedAtMs: t,
        note: null,
      });
    const paths = () => rx.requests.map((r) => `${r.url} ${JSON.parse(r.body).reason}`);

    it('escalates an unacknowledged critical alarm on time, @-ing who is on duty, and stops once it is acknowledged', async () => {
      now = at('2026-11-24T10:00:00');
      down('HY-HYX', now);
      service.evaluate();
      await delivery.idle();
      expect(paths()).to.deep.equal(['/duty raised']);
      expect(JSON.parse(rx.requests[0]!.body).mentions).to.deep.equal([{ name: '李娜', mobile: '13800000002', email: null }]);
      now += 15 * MIN - 1000;
      service.evaluate();
      await delivery.idle();
      expect(paths(), 'not yet').to.deep.equal(['/duty raised']);
      now += 1000;
      service.evaluate();
      await delivery.idle();
      expect(paths()).to.deep.equal(['/duty raised', '/lead escalated']);
      const escalated = JSON.parse(rx.requests[1]!.body);
      expect(escalated.mentions).to.deep.equal([{ name: '陈主任', mobile: '13900000009', email: null }]);
      expect(escalated.title).to.contain('升级至第 2 级');
      expect(levelsDue(ONCALL, service.engine.active()[0]!, now).map((l) => l.level)).to.deep.equal([1, 2]);

      // Acknowledged: a second alarm raised now is never escalated.
      down('HY-HNX', now);
      service.evaluate();
      const second = service.engine.active().find((a) => a.subject.id === 'HY-HNX')!;
      service.acknowledge(second.id, 'li', '已派单');
      now += 30 * MIN;
      service.evaluate();
      await delivery.idle();
      expect(paths().filter((p) => p.startsWith('/lead'))).to.deep.equal(['/lead escalated']);
    });

    it('holds a major alarm raised in quiet hours until they end, but never a critical one', async () => {
      now = at('2026-11-24T23:00:00');
      const deptCircuit = topology.circuits.find((c) => c.level === 'department')!.id;
      down(deptCircuit, now);
      down('HY-HYX', now);
      service.evaluate();
      await delivery.idle();
      expect(rx.requests.map((r) => JSON.parse(r.body).alarm.subject.id)).to.deep.equal(['HY-HYX']);
      now = at('2026-11-25T07:30:00');
      service.evaluate();
      await delivery.idle();
      expect(rx.requests.map((r) => JSON.parse(r.body).alarm.subject.id)).to.include(deptCircuit);
    });
  });
});
