/**
 * The alarm journal on a real disk: what append() returned from is there
 * after a kill -9, a write cut short is ignored, and compaction keeps
 * everything.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alarm } from '../../shared/alarms/types.ts';
import { memoryLogger } from '../../shared/log.ts';
import { AlarmJournal, type PushRecord } from '../../server/alarms/alarmJournal.ts';
import { inTempDir } from '../support/tempDir.ts';

function alarm(n: number, cleared = false): Alarm {
  return {
    id: `circuit_down:C${n}@${n}`,
    key: `circuit_down:C${n}`,
    kind: 'circuit_down',
    severity: 'major',
    subject: { type: 'circuit', id: `C${n}` },
    startedAtMs: n,
    raisedAtMs: n + 1,
    clearedAtMs: cleared ? n + 2 : null,
    endedAtMs: cleared ? n + 2 : null,
    ack: null,
    shelvedUntilMs: null,
    impactedCircuits: [],
    impactedSites: [],
    detail: '链路中断',
    maintenance: false,
  };
}

const push = (a: Alarm, state: PushRecord['state']): PushRecord => ({
  id: `${a.id}/raised/dingtalk`,
  alarmId: a.id,
  reason: 'raised',
  channel: 'dingtalk',
  state,
  createdAtMs: 1,
  attempts: state === 'sent' ? 1 : 0,
  lastAttemptMs: null,
  error: null,
});

describe('alarm journal', function () {
  this.timeout(30_000);

  it('reads back alarms and pushes, ignores a write cut short, and keeps everything through compaction', async () => {
    await inTempDir('journal', async (dir) => {
      const log = memoryLogger();
      const j = AlarmJournal.open(dir.path, log);
      const a1 = alarm(1);
      j.append([
        { t: 'alarm', alarm: a1 },
        { t: 'push', push: push(a1, 'pending') },
      ]);
      j.append([
        { t: 'push', push: push(a1, 'sent') },
        { t: 'alarm', alarm: alarm(2, true) },
      ]);
      j.close();
      appendFileSync(join(dir.path, 'journal.jsonl'), '{"t":"alarm","alarm":{"id":"torn');

      const again = AlarmJournal.open(dir.path, log);
      expect([...again.alarms.keys()]).to.deep.equal([a1.id, alarm(2).id]);
      expect(again.pushes.get(`${a1.id}/raised/dingtalk`)!.state).to.equal('sent');
      expect(log.lines.some((l) => l.includes('incomplete last line'))).to.equal(true);

      again.compact();
      expect(readFileSync(join(dir.path, 'journal.jsonl'), 'utf8')).to.equal('');
      again.append([{ t: 'alarm', alarm: alarm(3) }]);
      again.close();
      const third = AlarmJournal.open(dir.path, log);
      expect([...third.alarms.keys()].sort()).to.deep.equal([a1.id, alarm(2).id, alarm(3).id].sort());
      third.close();
    });
  });

  it('loses nothing that append() returned from when the process is killed with SIGKILL', async () => {
    await inTempDir('journal-kill', async (dir) => {
      // A child appends as fast as it can and says how far it got after each append.
      const script = `
        import { AlarmJournal } from ${JSON.stringify(join(process.cwd(), 'server/alarms/alarmJournal.ts'))};
        import { memoryLogger } from ${JSON.stringify(join(process.cwd(), 'shared/log.ts'))};
        const j = AlarmJournal.open(process.argv[1], memoryLogger(), { compactEvery: 200 });
        for (let n = 1; ; n++) {
          j.append([{ t: 'alarm', alarm: { id: 'a' + n, clearedAtMs: null } }]);
          process.stdout.write(n + '\\n');
        }`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          // Past a few compactions (every 200 lines), then kill it mid-stride.
          if (out.split('\n').length > 700) {
            clearInterval(check);
            child.kill('SIGKILL');
            resolve();
          }
        }, 5);
      });
      await new Promise((r) => child.once('exit', r));
      const confirmed = Math.max(...out.split('\n').filter(Boolean).map(Number));
      const j = AlarmJournal.open(dir.path, memoryLogger());
      for (let n = 1; n <= confirmed; n++) expect(j.alarms.has(`a${n}`), `a${n} of ${confirmed}`).to.equal(true);
      j.close();
    });
  });
});
