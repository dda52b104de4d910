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
/** The demo network: agents on 127.0.0.1:16100 upwards, its control API on 16000. */
export const DEFAULT_SIM_BASE_PORT = 16100;
export const DEFAULT_SIM_CONTROL_PORT = 16000;
export const DEFAULT_SIM_SEED = 734;
/** The demo writes this many days of simulated history before its first start. */
export const DEFAULT_HISTORY_DAYS = 30;
/** Generated credentials for the demo network, shared by the simulator and the pollers. */
export const DEMO_SECRETS_FILE = 'demo-secrets.yaml';
/** The demo's trap receiver (the simulator sends its traps here): 162 needs root, and 16100 up are the demo agents. */
export const DEFAULT_TRAP_PORT = 16062;
/** Where the console answers by default; pushes link to it. */
export const DEFAULT_CONSOLE_PORT = 8080;
export const DEFAULT_CONSOLE_URL = `http://127.0.0.1:${DEFAULT_CONSOLE_PORT}`;
/** Generated demo logins for the console, when nms.yaml names no users. */
export const DEMO_USERS_FILE = 'demo-users.yaml';
/** Users an admin made in the console (scrypt hashes, mode 0600), under the data folder. */
export const CONSOLE_USERS_FILE = 'console-users.json';
/** Console sessions (digests of their ids, mode 0600) and the key that signs their cookies, under the data folder. */
export const CONSOLE_SESSIONS_FILE = 'console-sessions.json';
export const CONSOLE_SESSION_KEY_FILE = 'console-session.key';
/** A poller's heartbeat to the centre, and how long the centre waits before calling it silent (six beats). */
export const DEFAULT_HEARTBEAT_S = 10;
export const DEFAULT_SILENT_AFTER_S = 60;

/** In the data folder while `nms up` (role all) runs: its process id, for `nms reload`. */
export const NMS_PID_FILE = 'nms.pid';
/** In the data folder: what the last reload did (see server/reload/modelReload.ts). */
export const RELOAD_RESULT_FILE = 'reload.json';
