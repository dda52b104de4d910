/**
 * The console API described as OpenAPI 3.1, served at /api/openapi.json. A
 * test checks that every route the server answers is in it and nothing else.
 */
import { REPORT_FORMATS } from '../../shared/reports/reportFormats.ts';

const error = { description: 'A plain message saying what was wrong', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const json = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const range = [
  { name: 'from', in: 'query', required: true, description: 'ms since the epoch, or an ISO date-time with its zone', schema: { type: 'string' } },
  { name: 'to', in: 'query', required: true, description: 'after from; at most five years later', schema: { type: 'string' } },
];
const circuitId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const alarmId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const deviceId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const username = { name: 'username', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9._-]{1,31}$' } };
const points = { name: 'points', in: 'query', schema: { type: 'integer', minimum: 10, maximum: 2000 } };
const admin = { 200: json('ok'), 400: error, 401: error, 403: error, 404: error };
const mutation = { security: [{ session: [], csrf: [] }] };

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'nms console API',
    version: '1',
    description:
      'Topology, live status, circuit series, SLA and alarms of a government WAN. Reads need a session; mutations also the X-CSRF-Token header and the operator (alarms, maintenance) or admin (users) role.',
  },
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'nms_session' },
      csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
    },
    schemas: { Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } },
  },
  security: [{ session: [] }],
  paths: {
    '/api/login': {
      post: {
        security: [],
        summary: 'Log in; sets the session cookie and returns the CSRF token',
        requestBody: json('Credentials', {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string' }, password: { type: 'string' } },
        }),
        responses: { 200: json('The session: username, role, csrfToken'), 400: error, 401: error, 429: error },
      },
    },
    '/api/session': { get: { summary: 'The current session', responses: { 200: json('username, role, csrfToken'), 401: error } } },
    '/api/logout': { post: { ...mutation, summary: 'Log out', responses: { 200: json('ok'), 401: error, 403: error } } },
    '/api/topology': {
      get: {
        summary: 'The site tree (province → city → county → department), sites, devices (without credentials), circuits and SLA tiers',
        responses: { 200: json('The network model'), 401: error },
      },
    },
    '/api/live': {
      get: {
        summary: 'Live status: everything, or the change batches since a sequence number',
        parameters: [{ name: 'since', in: 'query', schema: { type: 'integer' }, description: 'the last batch seen; too old gives everything' }],
        responses: { 200: json('{ seq, circuits, devices } or { seq, batches }'), 400: error, 401: error },
      },
    },
    '/api/basemap': {
      get: {
        summary: 'The outlines the map is drawn on: a GeoJSON FeatureCollection of county (or city) polygons, each with its name',
        responses: { 200: json('GeoJSON'), 204: { description: 'No outlines for this network' }, 401: error },
      },
    },
    '/api/pollers': {
      get: {
        summary:
          "A province's centre: each city poller, with the sites it was given, devices and circuits owned, when last heard, lag, its heartbeat (queue and spool depths), JetStream backlog and whether it is silent; empty for role all",
        responses: { 200: json('{ pollers }'), 401: error },
      },
    },
    '/api/circuits/{id}/series': {
      get: {
        summary: 'In/out bit/s, peaks and errors; raw up to 2 days, 5-minute rollup up to 62, hourly beyond',
        parameters: [circuitId, ...range, points],
        responses: { 200: json('{ circuit, contractBps, retentionPolicy, bucketS, points }'), 400: error, 401: error, 404: error, 501: error },
      },
    },
    '/api/circuits/{id}/quality': {
      get: {
        summary:
          'Round-trip delay (min, median, max), loss and jitter of the probe rounds to the far end, at the same automatic resolution, with the SLA tier’s limits',
        parameters: [circuitId, ...range, points],
        responses: { 200: json('{ circuit, probed, limits, retentionPolicy, bucketS, points }'), 400: error, 401: error, 404: error, 501: error },
      },
    },
    '/api/devices/{id}/series': {
      get: {
        summary:
          'CPU (mean and peak), memory, reachability (whether a poll was missed, and the share answered) and response time (mean and peak) of a device, at the same automatic resolution',
        parameters: [deviceId, ...range, points],
        responses: { 200: json('{ device, retentionPolicy, bucketS, points }'), 400: error, 401: error, 404: error, 501: error },
      },
    },
    '/api/devices/{id}/interfaces': {
      get: {
        summary:
          'The device’s own account: sysName, sysDescr and every interface with ifAlias and status, read on demand (at most every 30 s). Device strings are untrusted text',
        parameters: [deviceId],
        responses: { 200: json('{ deviceId, readAtMs, sysName, sysDescr, interfaces }'), 401: error, 404: error, 501: error, 502: error },
      },
    },
    '/api/circuits/{id}/sla': {
      get: {
        summary: 'Availability, unknown and planned time, outages and MTTR over a range',
        parameters: [circuitId, ...range],
        responses: { 200: json('Availability'), 400: error, 401: error, 404: error },
      },
    },
    '/api/sla': {
      get: {
        summary: 'Availability of every circuit over a range, and the network’s (weighted by known time)',
        parameters: range,
        responses: { 200: json('{ fromMs, toMs, availabilityPct, circuits }'), 400: error, 401: error, 501: error },
      },
    },
    '/api/alarms': {
      get: {
        summary: 'Alarms, newest first',
        parameters: [
          { name: 'state', in: 'query', description: 'history is the same as cleared', schema: { enum: ['active', 'cleared', 'history', 'all'] } },
          { name: 'severity', in: 'query', schema: { enum: ['critical', 'major', 'minor', 'warning'] } },
          { name: 'kind', in: 'query', schema: { type: 'string' } },
          { name: 'circuit', in: 'query', schema: { type: 'string' }, description: 'the subject, or among the impacted' },
          { name: 'device', in: 'query', schema: { type: 'string' }, description: 'device alarms on this device' },
          { name: 'acked', in: 'query', schema: { enum: ['true', 'false'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: {
          200: json('{ total, alarms }: each alarm with its pushes (channel, reason, state: pending, sending, sent, failed or uncertain, attempts)'),
          400: error,
          401: error,
        },
      },
    },
    '/api/alarms/{id}/ack': {
      post: {
        ...mutation,
        summary: 'Acknowledge (operator)',
        parameters: [alarmId],
        requestBody: json('{ comment }'),
        responses: { 200: json('The alarm'), 400: error, 401: error, 403: error, 404: error, 409: error },
      },
    },
    '/api/alarms/{id}/shelve': {
      post: {
        ...mutation,
        summary: 'Shelve for a while (operator)',
        parameters: [alarmId],
        requestBody: json('{ minutes }'),
        responses: { 200: json('The alarm'), 400: error, 401: error, 403: error, 404: error, 409: error },
      },
    },
    '/api/maintenance': {
      get: { summary: 'Maintenance windows, from nms.yaml and from the console', responses: { 200: json('{ windows }'), 401: error } },
      post: {
        ...mutation,
        summary: 'Enter a maintenance window (operator): alarms on its subjects push nothing and its time is excluded from SLA',
        requestBody: json('{ subjects: circuit, device or site ids; from, to: date-times with zone; reason }'),
        responses: { 201: json('The window'), 400: error, 401: error, 403: error },
      },
    },
    '/api/maintenance/{id}': {
      delete: {
        ...mutation,
        summary: 'End a console window now, or drop it if it has not begun (operator)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: json('The window as kept'), 400: error, 401: error, 403: error, 404: error },
      },
    },
    '/api/admin/users': {
      get: { summary: 'Console users and roles, without password hashes (admin)', responses: { 200: json('{ users }'), 401: error, 403: error } },
    },
    '/api/admin/users/{username}': {
      put: {
        ...mutation,
        summary: 'Add a user, or change a console-made user’s role or password (admin); their sessions end',
        parameters: [username],
        requestBody: json('{ role, password? } (password: at least 12 characters; required for a new user)'),
        responses: admin,
      },
      delete: { ...mutation, summary: 'Remove a console-made user (admin); their sessions end', parameters: [username], responses: admin },
    },
    '/api/admin/config': {
      get: { summary: 'The running configuration, without any secret (admin)', responses: { 200: json('Config summary'), 401: error, 403: error } },
    },
    '/api/reports': {
      get: {
        summary: 'A bandwidth and SLA report, made now: JSON, or a file (csv, xlsx, pdf, html)',
        parameters: [
          {
            name: 'period',
            in: 'query',
            required: true,
            description: '2026-10 (month), 2026-W41 (ISO week), 2026-10-05 (day) or 2026-10-01..2026-10-15, in the network time zone',
            schema: { type: 'string' },
          },
          { name: 'scope', in: 'query', description: 'network (default), circuit:ID, county:NAME, city:NAME or carrier:NAME', schema: { type: 'string' } },
          { name: 'format', in: 'query', schema: { enum: [...REPORT_FORMATS] } },
          { name: 'lang', in: 'query', schema: { enum: ['zh', 'en'] } },
        ],
        responses: { 200: json('The report, or its file'), 400: error, 401: error, 501: error },
      },
    },
    '/api/reports/stored': { get: { summary: 'Reports the schedules made, newest first', responses: { 200: json('{ reports }'), 401: error } } },
    '/api/reports/stored/{schedule}/{file}': {
      get: {
        summary: 'Download a stored report',
        parameters: [
          { name: 'schedule', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'file', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'The file' }, 401: error, 404: error },
      },
    },
    '/api/openapi.json': { get: { security: [], summary: 'This document', responses: { 200: json('OpenAPI 3.1') } } },
  },
} as const;
