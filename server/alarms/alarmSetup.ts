/**
 * The alarm half of nms, wherever it runs: the engine's rules from nms.yaml,
 * its journal, push delivery and the service that ties them to a live state.
 * `nms up` and a province's centre run it inside serving; a city poller with
 * localAlarms runs it alone, for its own share, when its centre is away.
 */
import { join } from 'node:path';
import type { NmsConfig } from '../../shared/config/config.ts';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { SecretSources } from '../../shared/secret.ts';
import { buildChannels } from '../notifiers/notifierRegistry.ts';
import { DeliveryQueue } from '../notifiers/deliveryQueue.ts';
import { WebSocketHub } from '../notifiers/websocketNotifier.ts';
import { AlarmJournal } from './alarmJournal.ts';
import { DEFAULT_ALARM_RULES, type AlarmRules } from './alarmRules.ts';
import { AlarmService, type AlarmServiceOptions } from './alarmService.ts';
import { parseOnCall, type OnCallConfig } from './onCall.ts';

export const ALARMS_DIR = 'alarms';

export function alarmRulesOf(config: NmsConfig): AlarmRules {
  const q = config.alarms.quality;
  const d = DEFAULT_ALARM_RULES;
  return {
    ...d,
    ...(config.alarms.upstreamWaitSeconds !== null ? { upstreamWaitMs: config.alarms.upstreamWaitSeconds * 1000 } : {}),
    ...(config.alarms.clearAfterSeconds !== null ? { outageClearAfterMs: config.alarms.clearAfterSeconds * 1000 } : {}),
    ...(config.centre ? { pollerSilentMs: config.centre.silentAfterSeconds * 1000 } : {}),
    quality: {
      windowMs: (q.windowSeconds ?? d.quality.windowMs / 1000) * 1000,
      sustainMs: (q.sustainSeconds ?? d.quality.sustainMs / 1000) * 1000,
      clearAfterMs: (q.clearAfterSeconds ?? d.quality.clearAfterMs / 1000) * 1000,
      clearMargin: d.quality.clearMargin,
    },
  };
}

/**
 * The push channels and the on-call rota, checked against each other.
 * @throws Error saying which channel or rota entry is wrong.
 */
export function alarmChannels(config: NmsConfig, secrets: SecretSources, websocketHub = new WebSocketHub()) {
  const channels = buildChannels(config.alarms.channels, secrets, 'alarms.channels', { websocketHub });
  return {
    channels,
    onCall: parseOnCall(
      config.alarms.onCall,
      channels.map((c) => c.settings.name),
    ),
  };
}

export interface AlarmHalf {
  alarms: AlarmService;
  journal: AlarmJournal;
  delivery: DeliveryQueue;
}

/** Opens the journal and delivery, and starts the service; `stops` learns how to stop them. */
export function startAlarmHalf(
  i: {
    config: NmsConfig;
    topology: Topology;
    live: LiveState;
    log: Logger;
    channels: ReturnType<typeof buildChannels>;
    onCall: OnCallConfig | null;
    stops: Array<() => Promise<void>>;
  },
  extra: Pick<AlarmServiceOptions, 'ledger' | 'onEvent' | 'pushGate'> = {},
): AlarmHalf {
  const { config, topology, log } = i;
  const journal = AlarmJournal.open(join(config.dataDir, ALARMS_DIR), log.child('alarms'));
  const delivery = new DeliveryQueue(i.channels, journal, log.child('notify'));
  const alarms = new AlarmService({
    topology,
    rules: alarmRulesOf(config),
    journal,
    delivery,
    live: i.live,
    log: log.child('alarms'),
    notice: { language: config.alarms.language, consoleUrl: config.alarms.consoleUrl },
    onCall: i.onCall,
    ...extra,
  });
  alarms.start();
  i.stops.push(async () => {
    alarms.stop();
    delivery.close();
    journal.close();
  });
  return { alarms, journal, delivery };
}
