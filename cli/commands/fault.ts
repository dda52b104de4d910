import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, type Command } from '../command.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { isLoopback } from '../../shared/net/loopback.ts';
import { SIM_STATE_FILE, type SimStateFile } from '../../sim/startSimulation.ts';

export const faultCommand: Command = {
  summary: 'inject a fault into the running simulated network',
  usage: `Usage: nms fault KIND [target] [options]

Sends a fault to a running simulator (nms sim, or nms up on embedded defaults)
through its control API. Times are simulated time.

Kinds and their options:
  link-down     --circuit ID [--for 5m]        link down on both ends, linkDown traps
  link-up       --circuit ID                   end a link-down
  flap          --circuit ID --count N --period 30s
  unreachable   --device ID [--for 10m]        the device stops answering SNMP
  reachable     --device ID
  reboot        --device ID [--downtime 90s] [--renumber]   sysUpTime and counters reset
  counter-reset --device ID                    counters cleared (ifCounterDiscontinuityTime set)
  loss          --circuit ID --percent P --for 1h [--direction a2z|z2a|both]
  errors        --circuit ID --end a|z --per-second N --for 10m
  degrade       --circuit ID [--loss 5%] [--delay 80ms] [--jitter 10ms] --for 10m
                               echoes through the line lose, wait and vary that much more

Options:
  --control URL   control API (default: read from var/sim/sim.json)
  --config FILE   configuration file (default: nms.yaml if present)

Example: nms fault link-down --circuit HY-HYX --for 15m`,
  options: {
    circuit: { type: 'string' },
    device: { type: 'string' },
    for: { type: 'string' },
    count: { type: 'string' },
    period: { type: 'string' },
    percent: { type: 'string' },
    direction: { type: 'string' },
    end: { type: 'string' },
    'per-second': { type: 'string' },
    loss: { type: 'string' },
    delay: { type: 'string' },
    jitter: { type: 'string' },
    downtime: { type: 'string' },
    renumber: { type: 'boolean' },
    control: { type: 'string' },
    config: { type: 'string' },
  },
  maxPositionals: 1,
  async run({ positionals, values }) {
    const kind = positionals[0];
    if (!kind) {
      console.error(`nms fault: name the fault kind\n\n${faultCommand.usage}`);
      return EXIT.usage;
    }
    const numeric = (name: string) => (values[name] === undefined ? undefined : Number(values[name]));
    const fault = Object.fromEntries(
      Object.entries({
        fault: kind,
        circuit: values.circuit,
        device: values.device,
        for: values.for,
        count: numeric('count'),
        period: values.period,
        percent: numeric('percent'),
        direction: values.direction,
        end: values.end,
        perSecond: numeric('per-second'),
        loss: values.loss,
        delay: values.delay,
        jitter: values.jitter,
        downtime: values.downtime,
        renumber: values.renumber,
      }).filter(([, v]) => v !== undefined),
    );
    const control = (values.control as string | undefined) ?? (await controlFromState(values.config as string | undefined));
    if (!isLoopback(new URL(control).hostname)) throw new Error(`control API ${control} is not on loopback`);
    let res: Response;
    try {
      res = await fetch(`${control}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
    } catch (err) {
      throw new Error(
        `cannot reach the simulator at ${control}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
      );
    }
    const body = (await res.json()) as { id?: number; at?: string; error?: string };
    if (!res.ok) {
      console.error(`nms fault: ${body.error ?? `HTTP ${res.status}`}`);
      return EXIT.failed;
    }
    console.log(`fault ${body.id} (${kind}) started at simulated ${body.at}`);
    return EXIT.ok;
  },
};

async function controlFromState(configFile: string | undefined): Promise<string> {
  const config = await loadConfig({ explicitFile: configFile, env: process.env, cwd: process.cwd() });
  const file = join(config.simulator.stateDir, SIM_STATE_FILE);
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as SimStateFile).control;
  } catch {
    throw new Error(`no running simulator found (${file} is missing); start one with "nms sim" or "nms up", or pass --control URL`);
  }
}
