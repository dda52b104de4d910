/** Embedded defaults: what the product uses when nothing is configured. */

export const DEFAULT_TOPOLOGY_FILE = 'topology.yaml';
export const DEFAULT_CONFIG_FILE = 'nms.yaml';
/** Everything the product writes locally (InfluxDB data, spool, logs); git-ignored. */
export const DEFAULT_DATA_DIR = 'var';
export const DEFAULT_DATABASE = 'nms';
/** Loopback port of the managed influxd; off the 8086 a system InfluxDB may hold. */
export const DEFAULT_EMBEDDED_INFLUX_PORT = 18086;
/** Secrets referenced as { secret: name }; git-ignored, never committed. */
export const DEFAULT_SECRETS_FILE = 'secrets.yaml';
