/**
 * The measurement schema: the one contract between everything that writes to
 * InfluxDB and everything that reads it (writer, alarms, reports, API,
 * Grafana). Change it here and nowhere else; `nms schema` prints it as a
 * document, and rollups and their continuous queries are derived from it.
 *
 * Rules (see ../../README.md, "Data in InfluxDB"):
 * - Tags are identifiers with a bounded set of values (circuit, device, site,
 *   county, carrier, level). Never a timestamp, a message or an ifAlias.
 * - Fields are numbers. Integer fields are written with InfluxDB's integer
 *   type (the `i` suffix); a field's type never changes, or writes fail.
 * - Rates are computed by the collector's counter engine, with 32-bit wraps
 *   undone and resets discarded, never by InfluxQL's derivative(), which turns
 *   a reboot into a spike.
 * - Gaps stay gaps: nothing is written for a poll that failed, and
 *   availability counts unknown time as unknown, not as up.
 */

export type RetentionPolicyName = 'raw' | 'rollup_5m' | 'rollup_1h';

export interface RetentionPolicySpec {
  name: RetentionPolicyName;
  /** InfluxQL duration literal. */
  duration: string;
  shardGroupDuration: string;
  isDefault: boolean;
  description: string;
}

export const RETENTION_POLICIES: readonly RetentionPolicySpec[] = [
  {
    name: 'raw',
    duration: '35d',
    shardGroupDuration: '1d',
    isDefault: true,
    description: 'every poll, as collected; for live views and alarm investigation',
  },
  {
    name: 'rollup_5m',
    duration: '400d',
    shardGroupDuration: '7d',
    isDefault: false,
    description: '5-minute means and maxima; the basis of 95th-percentile billing over a lease year',
  },
  {
    name: 'rollup_1h',
    duration: '1830d',
    shardGroupDuration: '30d',
    isDefault: false,
    description: 'hourly means and maxima; five years of trends for upgrade planning',
  },
];

export type FieldType = 'float' | 'integer';
export type RollupFunction = 'mean' | 'max' | 'min' | 'sum';

export interface FieldSpec {
  type: FieldType;
  unit: string;
  description: string;
}

/**
 * A field of the rollups: `fn(source)` over raw into rollup_5m, then
 * `fn(field)` over rollup_5m into rollup_1h. mean of equal 5-minute means is
 * the hourly mean; max of maxima is the max; sum of sums is the sum.
 */
export interface RollupFieldSpec {
  field: string;
  fn: RollupFunction;
  /** Raw field it is computed from; defaults to `field`. */
  source?: string;
}

export interface MeasurementSpec {
  name: string;
  description: string;
  /** Which part of the product writes it. */
  writtenBy: string;
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldSpec>>;
  /** Rolled up into rollup_5m and rollup_1h when present. */
  rollup?: readonly RollupFieldSpec[];
}

const CIRCUIT_TAGS = {
  circuit: 'circuit id from topology.yaml',
  carrier: 'telecom | unicom | mobile',
  bandwidth: 'contracted rate as written in contracts: 2M, 10M, 100M, 1G',
  level: "level of the circuit's far end: province | city | county | department | external",
  site: 'id of the owning site (department or county)',
  county: 'id of the county-level site the owner belongs to; absent for city-level owners',
  city: 'id of the city the owner belongs to',
} as const;

const count = (what: string): FieldSpec => ({ type: 'integer', unit: 'count', description: `${what} during the interval` });

/** Error and discard counts and the interval, common to circuit and interface traffic. */
const COUNTER_FIELDS = {
  in_errors: count('ifInErrors'),
  out_errors: count('ifOutErrors'),
  in_discards: count('ifInDiscards'),
  out_discards: count('ifOutDiscards'),
  interval_s: { type: 'float', unit: 's', description: 'seconds between the two counter readings (sysUpTime based)' },
} as const satisfies Record<string, FieldSpec>;

const RATE_ROLLUP = [
  { field: 'in_bps', fn: 'mean' },
  { field: 'out_bps', fn: 'mean' },
  { field: 'in_bps_max', fn: 'max', source: 'in_bps' },
  { field: 'out_bps_max', fn: 'max', source: 'out_bps' },
  { field: 'in_errors', fn: 'sum' },
  { field: 'out_errors', fn: 'sum' },
] as const satisfies readonly RollupFieldSpec[];

export const MEASUREMENTS = {
  circuit_traffic: {
    name: 'circuit_traffic',
    description:
      'Traffic on a leased circuit, one point per successful poll of its measured end. Directions are as ' +
      'seen at the A end (the network control centre side): in = Z→A (入流量), out = A→Z (出流量). A point ' +
      'measured at the Z end is swapped into that frame by the collector.',
    writtenBy: 'collectors (counter engine)',
    tags: { ...CIRCUIT_TAGS, end: 'which end was measured: a | z' },
    fields: {
      in_bps: { type: 'float', unit: 'bit/s', description: 'mean rate Z→A over the interval' },
      out_bps: { type: 'float', unit: 'bit/s', description: 'mean rate A→Z over the interval' },
      in_util_pct: { type: 'float', unit: '%', description: 'in_bps as a percentage of the contracted bandwidth' },
      out_util_pct: { type: 'float', unit: '%', description: 'out_bps as a percentage of the contracted bandwidth' },
      ...COUNTER_FIELDS,
    },
    rollup: [
      ...RATE_ROLLUP,
      { field: 'in_util_pct', fn: 'mean' },
      { field: 'out_util_pct', fn: 'mean' },
      { field: 'in_discards', fn: 'sum' },
      { field: 'out_discards', fn: 'sum' },
      { field: 'interval_s', fn: 'sum' },
    ],
  },
  circuit_status: {
    name: 'circuit_status',
    description:
      'Link state of a circuit, one point per poll. up_s and down_s split the interval between polls into ' +
      'known-up and known-down seconds; time covered by neither is unknown. Availability over a period is ' +
      'sum(up_s) / (sum(up_s) + sum(down_s)), and unknown time is reported beside it, never counted as up.',
    writtenBy: 'collectors (status from ifOperStatus and traps)',
    tags: CIRCUIT_TAGS,
    fields: {
      up: { type: 'integer', unit: '0|1', description: '1 when the link was up at the poll' },
      up_s: { type: 'float', unit: 's', description: 'seconds of the interval the link was known up' },
      down_s: { type: 'float', unit: 's', description: 'seconds of the interval the link was known down' },
    },
    rollup: [
      { field: 'up_s', fn: 'sum' },
      { field: 'down_s', fn: 'sum' },
      { field: 'up_min', fn: 'min', source: 'up' },
    ],
  },
  circuit_quality: {
    name: 'circuit_quality',
    description:
      "A circuit's round-trip delay, loss and jitter, one point per probe round (default 20 echoes over 60 s) " +
      "from the network control centre to the circuit's far end, so a department's figures include its county " +
      'uplink. Over a period, loss is 100 × (sum(sent) − sum(received)) / sum(sent); RTT percentiles are taken ' +
      "over the rounds' medians. A round with nothing answered has no RTT fields.",
    writtenBy: 'collectors (circuit prober: fping or UDP echo)',
    tags: { ...CIRCUIT_TAGS, method: 'icmp | udp-echo' },
    fields: {
      sent: count('echo requests sent and timed'),
      received: count('answers received (duplicates not counted)'),
      unmeasured: count(
        'echo requests left out of the round because the prober was stalled while they were in flight (a busy machine): neither received nor lost',
      ),
      duplicates: count('duplicate answers'),
      loss_pct: { type: 'float', unit: '%', description: 'packets lost in the round' },
      rtt_min_ms: { type: 'float', unit: 'ms', description: 'fastest round trip' },
      rtt_median_ms: { type: 'float', unit: 'ms', description: 'median round trip: the figure judged against the SLA latency' },
      rtt_mean_ms: { type: 'float', unit: 'ms', description: 'mean round trip' },
      rtt_max_ms: { type: 'float', unit: 'ms', description: 'slowest round trip' },
      jitter_ms: { type: 'float', unit: 'ms', description: 'mean absolute difference of consecutive round trips (RFC 3550)' },
      round_s: { type: 'float', unit: 's', description: 'seconds the round covered' },
      degraded_s: {
        type: 'float',
        unit: 's',
        description:
          "round_s when the round broke its SLA tier's latency, loss or jitter limit while the circuit was up; 0 otherwise (time down is outage, not degradation)",
      },
    },
    rollup: [
      { field: 'sent', fn: 'sum' },
      { field: 'received', fn: 'sum' },
      { field: 'rtt_median_ms', fn: 'mean' },
      { field: 'rtt_median_ms_max', fn: 'max', source: 'rtt_median_ms' },
      { field: 'rtt_min_ms', fn: 'min' },
      { field: 'rtt_max_ms', fn: 'max' },
      { field: 'jitter_ms', fn: 'mean' },
      { field: 'loss_pct_max', fn: 'max', source: 'loss_pct' },
      { field: 'round_s', fn: 'sum' },
      { field: 'degraded_s', fn: 'sum' },
    ],
  },
  interface_traffic: {
    name: 'interface_traffic',
    description: 'Traffic on any polled interface (circuit ends and core links), as seen at that interface.',
    writtenBy: 'collectors (counter engine)',
    tags: {
      device: 'device id from topology.yaml',
      site: "id of the device's site",
      ifname: 'ifName as the device reports it (bounded by the interfaces that are polled)',
      circuit: 'circuit id when the interface is a circuit end; absent otherwise',
    },
    fields: {
      in_bps: { type: 'float', unit: 'bit/s', description: 'mean inbound rate over the interval' },
      out_bps: { type: 'float', unit: 'bit/s', description: 'mean outbound rate over the interval' },
      oper_status: { type: 'integer', unit: 'IF-MIB code', description: 'ifOperStatus: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown' },
      ...COUNTER_FIELDS,
    },
    rollup: RATE_ROLLUP,
  },
  device_health: {
    name: 'device_health',
    description: 'Health of a managed device, one point per poll attempt (reachable = 0 when it did not answer).',
    writtenBy: 'collectors (poller)',
    tags: {
      device: 'device id from topology.yaml',
      site: "id of the device's site",
      vendor: 'huawei | h3c | cisco | zte | generic',
      role: 'core | exit | aggregation | county | cpe | provincial',
    },
    fields: {
      reachable: { type: 'integer', unit: '0|1', description: '1 when the device answered the poll' },
      cpu_pct: { type: 'float', unit: '%', description: "CPU load from the vendor's MIB" },
      mem_pct: { type: 'float', unit: '%', description: "memory in use from the vendor's MIB" },
      uptime_s: { type: 'float', unit: 's', description: 'sysUpTime' },
      response_ms: { type: 'float', unit: 'ms', description: 'time for the device to answer the poll' },
    },
    rollup: [
      { field: 'cpu_pct', fn: 'mean' },
      { field: 'cpu_pct_max', fn: 'max', source: 'cpu_pct' },
      { field: 'mem_pct', fn: 'mean' },
      { field: 'reachable_min', fn: 'min', source: 'reachable' },
      // The share of polls answered, for the reachability chart; min says only whether one was missed.
      { field: 'reachable', fn: 'mean' },
      { field: 'response_ms', fn: 'mean' },
      { field: 'response_ms_max', fn: 'max', source: 'response_ms' },
    ],
  },
  alarm_event: {
    name: 'alarm_event',
    description: 'Every alarm state change, for history and Grafana annotations. The alarm text lives in the alarm ' + "engine's journal, never in a tag.",
    writtenBy: 'server (alarm engine)',
    tags: {
      circuit: 'circuit id, for circuit alarms',
      carrier: 'telecom | unicom | mobile, for circuit alarms (the carrier scorecard counts outages by it)',
      device: 'device id, for device alarms',
      poller: "a city poller's name, for its poller_silent alarm (at a province's centre)",
      kind: 'circuit_down | device_unreachable | device_rebooted | utilization | errors | flapping | sla_budget | circuit_degraded | poller_silent',
      severity: 'critical | major | minor | warning',
    },
    fields: {
      active: { type: 'integer', unit: '0|1', description: '1 when raised, 0 when cleared' },
      acknowledged: { type: 'integer', unit: '0|1', description: '1 once a person acknowledged it' },
      suppressed: { type: 'integer', unit: '0|1', description: '1 when an upstream root cause explains it (it was folded into the root alarm)' },
      impacted: { type: 'integer', unit: 'circuits', description: 'circuits the alarm takes down besides its own subject' },
    },
  },
  collector_stats: {
    name: 'collector_stats',
    description: 'How the collector itself is doing, one point a minute: counts are for that minute.',
    writtenBy: 'collectors (poll scheduler)',
    tags: { shard: 'poller shard as i/n, e.g. 1/1' },
    fields: {
      devices_ok: { type: 'integer', unit: 'count', description: 'devices that answered' },
      devices_failed: { type: 'integer', unit: 'count', description: 'devices that did not' },
      cycle_ms: { type: 'float', unit: 'ms', description: 'how long the last round took: from the end of one round until every device was polled again' },
      requests: { type: 'integer', unit: 'count', description: 'SNMP requests sent' },
      timeouts: { type: 'integer', unit: 'count', description: 'polls that got no answer in time' },
      samples_rejected: { type: 'integer', unit: 'count', description: 'rates dropped as impossible (above contracted bandwidth) or after a counter reset' },
      spooled_points: { type: 'integer', unit: 'count', description: 'points waiting on disk for InfluxDB' },
    },
  },
} as const satisfies Record<string, MeasurementSpec>;

export type MeasurementName = keyof typeof MEASUREMENTS;
