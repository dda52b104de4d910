import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, type Command } from '../command.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { RELOAD_RESULT_FILE } from '../../shared/config/defaults.ts';
import { runningNms } from '../nmsProcess.ts';
import type { ReloadResult } from '../../server/reload/modelReload.ts';

/** A reload checks both files and waits for the old model's polls in flight: seconds, not minutes. */
const WAIT_MS = 120_000;

export const reloadCommand: Command = {
  summary: 'apply topology.yaml and nms.yaml to the running nms without a restart',
  usage: `Usage: nms reload [--config FILE] [--json]

Has the nms up running on this data folder read topology.yaml and nms.yaml
again (it sends it SIGHUP; sending that yourself does the same). Both are
checked in full first. If anything is wrong, nothing changes: every problem
is listed with its file and line, and the command fails. Otherwise the new
model is applied to pollers, alarms and console at once: devices kept are
polled on the same beat with no interval lost, new ones join, removed ones
stop and their alarms clear, and open consoles load the new model.

Settings of nms.yaml that take a restart (ports, InfluxDB, users, push
channels...) are refused by name. Reloadable: alarms.maintenance,
alarms.upstreamWait, alarms.clearAfter, alarms.quality, collector.interval,
collector.probeInterval.

Options:
  --config FILE   configuration file, as given to nms up (it names the data folder)
  --json          print what the reload did as JSON`,
  options: {
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run({ values }) {
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    if (config.role !== 'all') {
      console.error(
        `nms reload: ${config.file} is role ${config.role}; reload is for role all. A centre or a city poller takes a restart (a poller follows its centre's model by itself).`,
      );
      return EXIT.failed;
    }
    const pid = runningNms(config.dataDir);
    const before = readResult(config.dataDir)?.seq ?? 0;
    process.kill(pid, 'SIGHUP');
    const deadline = Date.now() + WAIT_MS;
    let result = readResult(config.dataDir);
    while (!result || result.seq <= before) {
      if (Date.now() > deadline) {
        console.error(`nms reload: process ${pid} was signalled but wrote no result in ${WAIT_MS / 1000} s; see its log`);
        return EXIT.failed;
      }
      await new Promise((r) => setTimeout(r, 100));
      result = readResult(config.dataDir);
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(describe(result));
    return result.outcome === 'refused' || result.outcome === 'failed' ? EXIT.failed : EXIT.ok;
  },
};

function readResult(dataDir: string): ReloadResult | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, RELOAD_RESULT_FILE), 'utf8')) as ReloadResult;
  } catch {
    return null;
  }
}

function describe(r: ReloadResult): string {
  if (r.outcome === 'failed')
    return `nms reload: failed part-way (a fault of nms, not of the files); restart nms up to run them:\n  ${r.problems.join('\n  ')}`;
  if (r.outcome === 'refused')
    return `nms reload: refused; nothing changed. ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:\n  ${r.problems.join('\n  ')}`;
  if (r.outcome === 'unchanged') return 'nms reload: topology and settings are as running; nothing to do';
  const list = (what: string, c: ReloadResult['circuits']) =>
    [
      c.added.length ? `  ${what} added:   ${c.added.join(', ')}` : '',
      c.removed.length ? `  ${what} removed: ${c.removed.join(', ')}` : '',
      c.changed.length ? `  ${what} changed: ${c.changed.join(', ')}` : '',
    ].filter(Boolean);
  return [`nms reload: applied in ${r.tookMs} ms`, ...list('circuits', r.circuits), ...list('devices', r.devices), ...r.notes.map((n) => `  note: ${n}`)].join(
    '\n',
  );
}
