/**
 * The bus between a city poller and the centre, on a real nats-server with
 * JetStream: what the poller's live state saw reaches the centre's live
 * state, in order, once; a centre that stops before it has journaled gets
 * the rest again; a publish repeated after a lost acknowledgement is stored
 * once; a server killed with -9 mid-stream loses nothing that was
 * acknowledged; and a hostile message is refused with its reason, never
 * applied.
 */
import { expect } from 'chai';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ObservationPublisher } from '../../collectors/bus/observationPublisher.ts';
import { PollerRegistry } from '../../server/bus/pollerRegistry.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';
import { ObservationConsumer } from '../../server/bus/observationConsumer.ts';
import { LiveState, type CircuitLive } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { TestNatsServer } from '../support/natsServer.ts';
import { ensurePollerStream, pollerStream } from '../../shared/bus/busStreams.ts';
import { waitFor } from '../support/processes.ts';

const STREAM = 'NMS_OBS_HY';

const circuit = (i: number): CircuitLive => ({
  circuitId: `C${i % 7}`,
  status: i % 5 === 0 ? 'down' : 'up',
  inBps: i * 1000,
  outBps: i * 2000,
  inUtilPct: i % 100,
  outUtilPct: null,
  statusSinceMs: null,
  errorsPerS: 0,
  end: 'a',
  polledFromMs: 1_800_000_000_000 + i * 1000,
  updatedAtMs: 1_800_000_000_000 + i * 1000 + 20,
  note: null,
});

describe('the observation bus on a real nats-server with JetStream', function () {
  this.timeout(60_000);
  let server: TestNatsServer;
  let nc: NatsConnection;

  before(async () => {
    server = await TestNatsServer.start();
    nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ['nms.obs.hy.>'], storage: 'file', duplicate_window: 120_000_000_000 } as Parameters<
      typeof jsm.streams.add
    >[0]);
    await jsm.consumers.add(STREAM, { durable_name: 'centre', ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 } as Parameters<
      typeof jsm.consumers.add
    >[1]);
  });
  after(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('carries every change to the centre in order, once, and again after a centre stopped before journaling', async () => {
    const poller = new LiveState();
    const centre = new LiveState();
    const seen: CircuitLive[] = [];
    centre.subscribe((e) => e.kind === 'circuit' && seen.push(e.circuit));
    const log = memoryLogger();
    const pub = new ObservationPublisher(jetstream(nc), 'hy', poller, log);
    for (let i = 1; i <= 300; i++) poller.updateCircuit(circuit(i));
    await pub.flushed();
    expect(pub.stats).to.deep.equal({ published: 300, dropped: 0, queued: 0 });

    // A centre that applies a batch and dies before its journal is written: nothing is acknowledged.
    const dying = new ObservationConsumer({
      js: jetstream(nc),
      stream: STREAM,
      durable: 'centre',
      live: new LiveState(),
      log,
      batch: 100,
      settled: () => new Promise(() => undefined),
    });
    dying.start();
    await new Promise((r) => setTimeout(r, 500));
    void dying.stop();

    const consumer = new ObservationConsumer({ js: jetstream(nc), stream: STREAM, durable: 'centre', live: centre, log, settled: async () => undefined });
    consumer.start();
    // The dying centre's batch comes back once its acknowledgement wait (2 s) has run out.
    await waitFor('every change at the centre', async () => consumer.stats.applied + consumer.stats.stale >= 300, 20_000);
    await consumer.stop();
    // Those the dying centre had taken came last; the rest in the order the poller saw them.
    const order = seen.map((c) => c.updatedAtMs);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(consumer.stats.applied + consumer.stats.stale).to.equal(300);
    expect(consumer.stats.stale, 'the redelivered batch, older than what the centre held').to.be.within(1, 100);
    // The centre holds each circuit's newest state, whatever came back late.
    for (let k = 0; k < 7; k++) expect(centre.circuits.get(`C${k}`), `C${k}`).to.deep.equal(circuit(294 + ((k - (294 % 7) + 7) % 7)));
    pub.stop();
  });

  it('stores a publish repeated after a lost acknowledgement once', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(STREAM)).state.messages;
    const poller = new LiveState();
    const a = new ObservationPublisher(js, 'hy', poller, memoryLogger());
    const b = new ObservationPublisher(js, 'hy', poller, memoryLogger());
    poller.updateCircuit(circuit(1001));
    await Promise.all([a.flushed(), b.flushed()]);
    expect((await jsm.streams.info(STREAM)).state.messages - before).to.equal(1);
    a.stop();
    b.stop();
  });

  it('loses nothing it acknowledged when the server is killed with -9 mid-stream, and keeps publishing after', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(STREAM)).state.messages;
    const poller = new LiveState();
    const log = memoryLogger();
    const pub = new ObservationPublisher(js, 'hy', poller, log);
    for (let i = 2001; i <= 2200; i++) poller.updateCircuit(circuit(i));
    await waitFor('some published', async () => pub.stats.published >= 50, 10_000);
    await server.halt(true);
    const acknowledged = pub.stats.published;
    for (let i = 2201; i <= 2300; i++) poller.updateCircuit(circuit(i));
    await new Promise((r) => setTimeout(r, 1500));
    await server.run();
    await waitFor('everything published once the server is back', async () => pub.stats.published === 300, 30_000);
    const stored = (await jsm.streams.info(STREAM)).state.messages - before;
    expect(acknowledged).to.be.at.least(50);
    // A publish the server stored but whose acknowledgement the kill lost is sent again, and stored once by its id.
    expect(stored).to.equal(300);
    expect(log.lines.some((l) => /publishing to JetStream: .*retrying in 1 s/.test(l))).to.equal(true);
    pub.stop();
  });

  it('refuses a hostile or malformed message with its reason, and applies nothing of it', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(STREAM, { durable_name: 'hostile-check', ack_policy: AckPolicy.Explicit, deliver_policy: 'new' } as Parameters<
      typeof jsm.consumers.add
    >[1]);
    const centre = new LiveState();
    const log = memoryLogger();
    const consumer = new ObservationConsumer({ js, stream: STREAM, durable: 'hostile-check', live: centre, log, settled: async () => undefined });
    consumer.start();
    await new Promise((r) => setTimeout(r, 300));
    await js.publish('nms.obs.hy.circuit', 'not json');
    await js.publish('nms.obs.hy.circuit', JSON.stringify({ v: 1, poller: 'hy', kind: 'circuit', circuit: { ...circuit(1), status: '<script>' } }));
    await js.publish('nms.obs.hy.device', JSON.stringify({ v: 1, poller: 'hy', kind: 'device', device: { deviceId: 'x', reachable: true, extra: 1 } }));
    await js.publish('nms.obs.hy.circuit', new Uint8Array([0xff, 0xfe, 0x00]));
    await waitFor('four refusals', async () => consumer.stats.refused === 4, 10_000);
    await consumer.stop();
    expect(centre.circuits.size + centre.devices.size).to.equal(0);
    const refusals = log.lines.filter((l) => l.includes('refused'));
    expect(refusals.join('\n'))
      .to.match(/not JSON/)
      .and.to.match(/circuit\.status/)
      .and.to.match(/device/);
  });

  it("refuses a poller speaking on another's subjects, or of a circuit or device outside its share, and hears its heartbeat and traps", async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(STREAM, { durable_name: 'share-check', ack_policy: AckPolicy.Explicit, deliver_policy: 'new' } as Parameters<
      typeof jsm.consumers.add
    >[1]);
    const centre = new LiveState();
    const log = memoryLogger();
    const heard: string[] = [];
    const traps: TrapObservation[] = [];
    const registry = new PollerRegistry([{ name: 'hy', givenSites: ['hy'], sites: ['hy'], devices: ['hy-rtr-1'], circuits: ['C1'] }], () => false);
    const consumer = new ObservationConsumer({
      js,
      stream: STREAM,
      durable: 'share-check',
      live: centre,
      log,
      settled: async () => undefined,
      heard: (m) => heard.push(`${m.poller} ${m.kind}`),
      refuse: (m) => registry.refuse(m),
      onTrap: (t) => traps.push(t),
    });
    consumer.start();
    await new Promise((r) => setTimeout(r, 300));
    await js.publish('nms.obs.hy.circuit', JSON.stringify({ v: 1, poller: 'ld', kind: 'circuit', circuit: circuit(1) }));
    await js.publish('nms.obs.hy.circuit', JSON.stringify({ v: 1, poller: 'hy', kind: 'circuit', circuit: circuit(2) }));
    await js.publish('nms.obs.hy.circuit', JSON.stringify({ v: 1, poller: 'hy', kind: 'circuit', circuit: circuit(1) }));
    const beat = { sentAtMs: Date.now(), upSinceMs: Date.now() - 1000, devices: 3, circuits: 2, queued: 0, dropped: 0, spooledPoints: 0, localAlarms: false };
    await js.publish('nms.obs.hy.heartbeat', JSON.stringify({ v: 1, poller: 'hy', kind: 'heartbeat', heartbeat: beat }));
    const trap: TrapObservation = { kind: 'linkDown', deviceId: 'hy-rtr-1', circuitId: 'C1', atMs: Date.now() };
    await js.publish('nms.obs.hy.trap', JSON.stringify({ v: 1, poller: 'hy', kind: 'trap', trap: { ...trap, deviceId: 'ld-rtr-1' } }));
    await js.publish('nms.obs.hy.trap', JSON.stringify({ v: 1, poller: 'hy', kind: 'trap', trap: { ...trap, circuitId: 'C9' } }));
    await js.publish('nms.obs.hy.trap', JSON.stringify({ v: 1, poller: 'hy', kind: 'trap', trap }));
    await waitFor('four refused, three heard', async () => consumer.stats.refused === 4 && heard.length === 3, 10_000);
    await consumer.stop();
    expect(heard).to.deep.equal(['hy circuit', 'hy heartbeat', 'hy trap']);
    expect(traps).to.deep.equal([trap]);
    expect([...centre.circuits.keys()]).to.deep.equal(['C1']);
    const refusals = log.lines.filter((l) => l.includes('refused')).join('\n');
    expect(refusals)
      .to.match(/says it is from poller ld/)
      .and.to.match(/circuit C2 is not in the share of poller hy/);
    expect(refusals)
      .to.match(/device ld-rtr-1 is not in the share of poller hy/)
      .and.to.match(/circuit C9 is not in the share of poller hy/);
  });

  it("says which poller's stream found no room, and why, when JetStream cannot hold its bound", async () => {
    // This server holds 4 GB of files; each poller's stream is bounded at 1 GiB, held in advance.
    let error = '';
    const made: string[] = [];
    for (let i = 0; i < 6 && !error; i++) {
      await ensurePollerStream(nc, `room${i}`, null).then(
        () => made.push(pollerStream(`room${i}`)),
        (err: Error) => (error = err.message),
      );
    }
    const jsm = await jetstreamManager(nc);
    for (const name of made) await jsm.streams.delete(name);
    expect(error).to.match(
      /^bus: setting up stream NMS_OBS_room\d in its JetStream: .*insufficient storage.* \(it is bounded at 1024 MiB, held in advance: give that JetStream a larger max_file_store\)$/,
    );
  });
});
