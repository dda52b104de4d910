/**
 * The simulated lines' quality, as echoes meet it: a degrade fault on a
 * county uplink reaches every department behind it and ends when it says;
 * a link down leaves its far end unanswered; and the echo responder's
 * delays have the mean and RFC 3550 jitter the truth records, measured here
 * from its own answers, not from the model.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { ManualClock } from '../../../sim/clock.ts';
import { EchoResponders } from '../../../sim/agents/echoResponders.ts';
import { SimNetwork, type NetworkObserver } from '../../../sim/network/simNetwork.ts';
import { faultSchema } from '../../../sim/network/faults.ts';

const START = Date.parse('2026-11-23T03:00:00+08:00'); // night: the lines are nearly idle
const quiet: NetworkObserver = { segment() {}, linkChange() {}, rebootStart() {}, boot() {}, faultStart() {}, faultEnd() {} };

describe('simulated line quality', () => {
  let topology: Topology;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });
  const network = () => new SimNetwork({ topology, clock: new ManualClock(START), seed: 734, observer: quiet });
  const circuit = (n: SimNetwork, id: string) => n.circuits.find((c) => c.circuit.id === id)!;

  it('adds a county uplink degradation to the departments behind it, for as long as the fault lasts', () => {
    const n = network();
    const before = { up: circuit(n, 'HY-HYX').pathQuality!, dept: circuit(n, 'HYX-CZJ').pathQuality! };
    expect(before.up.delayMs).to.be.within(3, 9);
    expect(before.dept.delayMs).to.be.above(before.up.delayMs);
    n.inject(faultSchema.parse({ fault: 'degrade', circuit: 'HY-HYX', loss: '5%', delay: '80ms', for: '10m' }));
    const up = circuit(n, 'HY-HYX').pathQuality!;
    const dept = circuit(n, 'HYX-CZJ').pathQuality!;
    expect(up.delayMs - before.up.delayMs).to.be.closeTo(80, 0.5);
    expect(up.lossPct).to.be.closeTo(5, 1e-9);
    expect(dept.delayMs - before.dept.delayMs).to.be.closeTo(80, 0.5);
    expect(dept.lossPct).to.be.closeTo(5, 1e-9);
    expect(circuit(n, 'HY-LYS').pathQuality!.lossPct, 'another county').to.equal(0);
    n.advance(START + 10 * 60_000 + 1);
    expect(circuit(n, 'HY-HYX').pathQuality!.lossPct).to.equal(0);
  });

  it('leaves the far end of a down link, and everything behind it, unanswered', () => {
    const n = network();
    n.inject(faultSchema.parse({ fault: 'link-down', circuit: 'HY-HYX' }));
    expect(circuit(n, 'HY-HYX').pathQuality).to.equal(null);
    expect(circuit(n, 'HYX-CZJ').pathQuality).to.equal(null);
    expect(n.pathQuality(n.devices.get('hyx-czj-cpe')!)).to.equal(null);
  });

  it('refuses a degrade with nothing to degrade, or a bad figure', () => {
    expect(faultSchema.safeParse({ fault: 'degrade', circuit: 'HY-HYX', for: '1m' }).success).to.equal(false);
    expect(faultSchema.safeParse({ fault: 'degrade', circuit: 'HY-HYX', loss: 'lots', for: '1m' }).success).to.equal(false);
    expect(faultSchema.safeParse({ fault: 'degrade', circuit: 'HY-HYX', delay: '80', for: '1m' }).success).to.equal(false);
  });

  it('answers echoes with the delay and jitter of the path, and loses what it loses', async function () {
    this.timeout(20_000);
    const n = network();
    n.inject(faultSchema.parse({ fault: 'degrade', circuit: 'HY-HYX', loss: '20%', delay: '40ms', jitter: '6ms', for: '1h' }));
    const truth = circuit(n, 'HYX-CZJ').pathQuality!;
    const responder = await EchoResponders.start({
      network: n,
      devices: [n.devices.get('hyx-czj-cpe')!],
      now: () => START + 1000,
      onFailure: (m) => expect.fail(m),
    });
    const port = responder.portOf('hyx-czj-cpe');
    const socket = dgram.createSocket('udp4');
    const rtts: Array<number | null> = [];
    try {
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      const sentAt = new Map<number, number>();
      socket.on('message', (msg) => {
        const seq = msg.readUInt32BE(0);
        rtts[seq] = performance.now() - sentAt.get(seq)!;
      });
      for (let seq = 0; seq < 300; seq++) {
        rtts[seq] = null;
        const b = Buffer.alloc(4);
        b.writeUInt32BE(seq);
        sentAt.set(seq, performance.now());
        socket.send(b, port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 15));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      socket.close();
      await responder.close();
    }
    const got = rtts.filter((r): r is number => r !== null);
    const lossPct = (1 - got.length / 300) * 100;
    const mean = got.reduce((s, r) => s + r, 0) / got.length;
    let d = 0;
    for (let i = 1; i < got.length; i++) d += Math.abs(got[i]! - got[i - 1]!);
    expect(lossPct, 'loss over 300 echoes').to.be.within(truth.lossPct - 8, truth.lossPct + 8);
    // Loopback and timers add a millisecond or two on a busy machine.
    expect(mean).to.be.within(truth.delayMs - 1, truth.delayMs + 3);
    expect(d / (got.length - 1), 'RFC 3550 mean difference').to.be.within(truth.jitterMs * 0.8, truth.jitterMs * 1.3 + 1);
  });
});
