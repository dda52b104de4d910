/**
 * Each robot transport against a local receiver that checks the exact
 * request: URL, body, and the signature, computed here from each vendor's
 * published recipe (not with the code under test). Then the delivery queue:
 * retries, giving up with the other side's words, rate spacing, and no push
 * sent twice across a restart.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { WebSocket } from 'ws';
import type { Alarm } from '../../shared/alarms/types.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { CARRIER_NAMES } from '../../shared/model/types.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { buildNotice } from '../../server/notifiers/alarmNotice.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { buildChannels, ChannelConfigError } from '../../server/notifiers/notifierRegistry.ts';
import { WebSocketHub } from '../../server/notifiers/websocketNotifier.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { readPlainMail } from '../support/mime.ts';
import { inTempDir } from '../support/tempDir.ts';

const SECRETS = {
  DT_TOKEN: 'dt-token-1',
  DT_SIGN: 'SECdt-sign-secret',
  WECOM_KEY: 'wecom-key-1',
  FS_TOKEN: 'fs-token-1',
  FS_SIGN: 'fs-sign-secret',
  HOOK_SIGN: 'hook-secret',
};
const T0 = Date.parse('2026-11-23T10:00:00+08:00');

describe('notifiers against a local receiver', function () {
  this.timeout(30_000);
  let topology: Topology;
  let rx: HttpReceiver;
  let alarm: Alarm;

  before(async () => {
    topology = await loadTopology('topology.yaml');
    const depts = topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX'));
    alarm = {
      id: `circuit_down:HY-HYX@${T0}`,
      key: 'circuit_down:HY-HYX',
      kind: 'circuit_down',
      severity: 'critical',
      subject: { type: 'circuit', id: 'HY-HYX' },
      startedAtMs: T0,
      raisedAtMs: T0 + 20_000,
      clearedAtMs: null,
      endedAtMs: null,
      ack: null,
      shelvedUntilMs: null,
      impactedCircuits: depts.map((c) => c.id),
      impactedSites: depts.map((c) => c.ownerSiteId),
      detail: 'ifOperStatus down at hy-core-1',
      maintenance: false,
    };
  });
  beforeEach(async () => {
    rx = await startHttpReceiver();
  });
  afterEach(async () => rx.close());

  const channels = (extra: object[] = []) =>
    buildChannels(
      [
        {
          name: 'noc-dingtalk',
          kind: 'dingtalk',
          url: `${rx.url}/robot/send`,
          accessToken: { env: 'DT_TOKEN' },
          signSecret: { env: 'DT_SIGN' },
          atMobiles: ['13800000001'],
        },
        { name: 'noc-wecom', kind: 'wecom', url: `${rx.url}/cgi-bin/webhook/send`, key: { env: 'WECOM_KEY' } },
        { name: 'noc-feishu', kind: 'feishu', url: `${rx.url}/open-apis/bot/v2/hook/`, token: { env: 'FS_TOKEN' }, signSecret: { env: 'FS_SIGN' } },
        { name: 'noc-hook', kind: 'webhook', url: `${rx.url}/hook`, signingSecret: { env: 'HOOK_SIGN' } },
        ...extra,
      ],
      { env: SECRETS },
    );

  it('words a county uplink outage in Chinese with the carrier number, the county and the departments', () => {
    const c = topology.circuit('HY-HYX');
    const n = buildNotice(topology, alarm, 'raised', 'noc-dingtalk', { language: 'zh', consoleUrl: 'http://nms.local:8080', nowMs: T0 + 5 * 60_000 + 12_000 });
    expect(n.title).to.equal(
      `【紧急】衡阳县 10M 上联 中断 (${CARRIER_NAMES[c.carrier].zh} 电路编号 ${c.carrierCircuitId}); ${alarm.impactedSites.length} 个单位受影响`,
    );
    const text = n.lines.join('\n');
    expect(text).to.contain(`${CARRIER_NAMES[c.carrier].zh} 电路编号 ${c.carrierCircuitId}`);
    expect(text).to.contain('区县: 衡阳县');
    expect(text).to.contain('开始: 2026-11-23 10:00:00 (持续 5 分 12 秒)');
    expect(text).to.contain(`受影响: ${alarm.impactedSites.length} 个单位`);
    expect(n.url).to.equal(`http://nms.local:8080/#/alarms/${encodeURIComponent(alarm.id)}`);
    const en = buildNotice(topology, alarm, 'cleared', 'x', { language: 'en', consoleUrl: 'http://nms.local:8080', nowMs: T0 });
    expect(en.title).to.match(/^\[CLEARED\] \[CRITICAL\] .* 10M uplink down \(China \w+ circuit no\. \S+\); \d+ sites affected$/);
  });

  it('signs and shapes each robot’s request as its vendor documents', async () => {
    const notice = (channel: string) => buildNotice(topology, alarm, 'raised', channel, { language: 'zh', consoleUrl: 'http://nms.local', nowMs: T0 + 60_000 });
    for (const ch of channels()) await ch.notifier.send(notice(ch.settings.name));
    const [dt, wc, fs, hook] = rx.requests;

    // DingTalk: sign = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))), timestamp in ms.
    const dtUrl = new URL(dt!.url, rx.url);
    expect(dtUrl.pathname).to.equal('/robot/send');
    expect(dtUrl.searchParams.get('access_token')).to.equal(SECRETS.DT_TOKEN);
    const ts = dtUrl.searchParams.get('timestamp')!;
    expect(Math.abs(Number(ts) - Date.now())).to.be.below(10_000);
    const mac = createHmac('sha256', Buffer.from(SECRETS.DT_SIGN, 'utf8'));
    mac.update(Buffer.from(`${ts}\n${SECRETS.DT_SIGN}`, 'utf8'));
    expect(dt!.url).to.contain(`sign=${encodeURIComponent(mac.digest('base64'))}`);
    const dtBody = JSON.parse(dt!.body);
    expect(dtBody.msgtype).to.equal('markdown');
    expect(dtBody.markdown.title).to.equal(notice('noc-dingtalk').title);
    expect(dtBody.markdown.text).to.contain('@13800000001');
    expect(dtBody.at).to.deep.equal({ atMobiles: ['13800000001'], isAtAll: false });

    // WeCom: the key in the query, markdown content.
    expect(new URL(wc!.url, rx.url).searchParams.get('key')).to.equal(SECRETS.WECOM_KEY);
    const wcBody = JSON.parse(wc!.body);
    expect(wcBody.msgtype).to.equal('markdown');
    expect(wcBody.markdown.content).to.contain(notice('noc-wecom').title);

    // Feishu: the token ends the path; sign = base64(HmacSHA256(key = timestamp + "\n" + secret, "")), timestamp in s.
    expect(fs!.url).to.equal(`/open-apis/bot/v2/hook/${SECRETS.FS_TOKEN}`);
    const fsBody = JSON.parse(fs!.body);
    expect(fsBody.msg_type).to.equal('text');
    expect(Math.abs(Number(fsBody.timestamp) * 1000 - Date.now())).to.be.below(10_000);
    expect(fsBody.sign).to.equal(createHmac('sha256', `${fsBody.timestamp}\n${SECRETS.FS_SIGN}`).update('').digest('base64'));
    expect(fsBody.content.text.split('\n')[0]).to.equal(notice('noc-feishu').title);

    // Webhook: HMAC-SHA256 of the exact body bytes.
    expect(hook!.headers['x-nms-signature']).to.equal(`sha256=${createHmac('sha256', SECRETS.HOOK_SIGN).update(hook!.body).digest('hex')}`);
    expect(JSON.parse(hook!.body).alarm.id).to.equal(alarm.id);
    expect(hook!.headers['x-nms-delivery']).to.equal(notice('noc-hook').id);
  });

  it('refuses bad channel config at start-up, naming the channel and the key, never a secret', () => {
    const build = (raw: object[]) => () => buildChannels(raw, { env: SECRETS });
    expect(build([{ name: 'x', kind: 'pager' }])).to.throw(
      ChannelConfigError,
      'notify.channels[0] (x).kind: unknown kind; one of websocket, webhook, dingtalk, wecom, feishu, email, sms',
    );
    expect(build([{ name: 'dt', kind: 'dingtalk', accessToken: { env: 'NOT_SET' } }])).to.throw(
      ChannelConfigError,
      'notify.channels[0] (dt): environment variable NOT_SET is not set',
    );
    expect(build([{ name: 'dt', kind: 'dingtalk', accessToken: { env: 'DT_TOKEN' }, tokne: 1 }])).to.throw(ChannelConfigError, 'Unrecognized key');
    expect(
      build([
        { name: 'a', kind: 'wecom', key: { env: 'WECOM_KEY' } },
        { name: 'a', kind: 'wecom', key: { env: 'WECOM_KEY' } },
      ]),
    ).to.throw(ChannelConfigError, 'a second channel named a');
    try {
      build([{ name: 'dt', kind: 'dingtalk', accessToken: 'dt-token-1' }])();
    } catch (err) {
      expect((err as Error).message).to.contain('notify.channels[0] (dt).accessToken');
      expect((err as Error).message).not.to.contain('dt-token-1');
    }
  });

  it('retries a refused push, gives up with the vendor’s words, and never sends a sent push again after a restart', async () => {
    await inTempDir('delivery', async (dir) => {
      const log = memoryLogger();
      let journal = AlarmJournal.open(dir.path, log);
      let fail = 2;
      rx.respond = (r) =>
        r.url.startsWith('/robot/send') && fail-- > 0
          ? { status: 500, body: 'busy' }
          : r.url.startsWith('/cgi-bin')
            ? { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' }
            : { status: 200, body: '{"errcode":0,"code":0}' };
      const queue = new DeliveryQueue(
        channels([])
          .filter((c) => c.settings.name === 'noc-dingtalk' || c.settings.name === 'noc-wecom')
          .map((c) => ({ ...c, settings: { ...c.settings, retries: 2, ratePerMinute: 600 } })),
        journal,
        log,
        { backoffMs: () => 50 },
      );
      for (const ch of ['noc-dingtalk', 'noc-wecom'])
        queue.enqueue(buildNotice(topology, alarm, 'raised', ch, { language: 'zh', consoleUrl: 'http://nms.local', nowMs: T0 }), ch);
      await queue.idle();
      const dt = journal.pushes.get(`${alarm.id}/raised/noc-dingtalk`)!;
      expect([dt.state, dt.attempts]).to.deep.equal(['sent', 3]);
      const wc = journal.pushes.get(`${alarm.id}/raised/noc-wecom`)!;
      expect([wc.state, wc.attempts]).to.deep.equal(['failed', 3]);
      expect(wc.error).to.contain('errcode 93000 invalid webhook url');
      expect(log.lines.join('\n')).not.to.contain(SECRETS.WECOM_KEY);
      expect(log.lines.join('\n')).not.to.contain(SECRETS.DT_TOKEN);

      // A restart: the same notice enqueued again is recognised as sent and not repeated.
      journal.close();
      journal = AlarmJournal.open(dir.path, log);
      const before = rx.requests.length;
      const again = new DeliveryQueue(
        channels([]).filter((c) => c.settings.name === 'noc-dingtalk'),
        journal,
        log,
      );
      again.enqueue(buildNotice(topology, alarm, 'raised', 'noc-dingtalk', { language: 'zh', consoleUrl: 'http://nms.local', nowMs: T0 }), 'noc-dingtalk');
      await again.idle();
      expect(rx.requests.length).to.equal(before);
      journal.close();
    });
  });

  it('spaces pushes to the channel’s rate limit', async () => {
    await inTempDir('delivery-rate', async (dir) => {
      const journal = AlarmJournal.open(dir.path, memoryLogger());
      const hook = channels().find((c) => c.settings.name === 'noc-hook')!;
      const queue = new DeliveryQueue([{ ...hook, settings: { ...hook.settings, ratePerMinute: 300 } }], journal, memoryLogger());
      for (let k = 0; k < 4; k++)
        queue.enqueue(
          buildNotice(topology, { ...alarm, id: `${alarm.id}-${k}` }, 'raised', 'noc-hook', { language: 'zh', consoleUrl: 'http://nms.local', nowMs: T0 }),
          'noc-hook',
        );
      await queue.idle();
      const times = rx.requests.map((r) => r.atMs);
      expect(times).to.have.length(4);
      for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!, `gap ${k}`).to.be.at.least(190);
      journal.close();
    });
  });

  it('sends email through a real SMTP server, Chinese subject intact, to the on-duty person too', async () => {
    const mails: Array<{ from: string; to: string[]; raw: string }> = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(address, _session, cb) {
        if (address.address.startsWith('nobody@')) cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        else cb();
      },
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (d: Buffer) => (raw += d.toString()));
        stream.on('end', () => {
          mails.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), raw });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    try {
      const smtpPort = (smtp.server.address() as { port: number }).port;
      const [mail] = buildChannels([{ name: 'noc-mail', kind: 'email', host: '127.0.0.1', port: smtpPort, from: 'nms@hy.gov.cn', to: ['noc@hy.gov.cn'] }], {
        env: SECRETS,
      });
      const notice = buildNotice(topology, alarm, 'raised', 'noc-mail', {
        language: 'zh',
        consoleUrl: 'http://nms.local',
        nowMs: T0,
        mentions: [{ name: '李娜', mobile: null, email: 'lina@hy.gov.cn' }],
      });
      await mail!.notifier.send(notice);
      expect(mails).to.have.length(1);
      expect(mails[0]!.from).to.equal('nms@hy.gov.cn');
      expect(mails[0]!.to).to.have.members(['noc@hy.gov.cn', 'lina@hy.gov.cn']);
      const parsed = readPlainMail(mails[0]!.raw);
      expect(parsed.headers.get('subject')).to.equal(notice.title);
      expect(parsed.text.trim()).to.equal(notice.lines.join('\n'));
      // A server that refuses: the error carries its reply.
      const [bad] = buildChannels([{ name: 'bad-mail', kind: 'email', host: '127.0.0.1', port: smtpPort, from: 'nms@hy.gov.cn', to: ['nobody@hy.gov.cn'] }], {
        env: SECRETS,
      });
      const err = await bad!.notifier.send({ ...notice, mentions: [] }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err!.message).to.match(/bad-mail: SMTP 127\.0\.0\.1:\d+: .*550/);
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it('sends an SMS through a gateway template, one request per phone, and checks the gateway’s answer', async () => {
    const [sms] = buildChannels(
      [
        {
          name: 'noc-sms',
          kind: 'sms',
          url: `${rx.url}/sms`,
          token: { env: 'HOOK_SIGN' },
          phones: ['13900000009'],
          body: { apiKey: '{token}', mobile: '{phone}', content: '{text}', sign: '衡阳网控' },
          success: { field: 'result.code', equals: 0 },
        },
      ],
      { env: SECRETS },
    );
    rx.respond = () => ({ status: 200, body: '{"result":{"code":0}}' });
    const notice = buildNotice(topology, alarm, 'raised', 'noc-sms', {
      language: 'zh',
      consoleUrl: 'http://nms.local',
      nowMs: T0,
      mentions: [{ name: '李娜', mobile: '13800000002', email: null }],
    });
    await sms!.notifier.send(notice);
    const bodies = rx.requests.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.mobile)).to.deep.equal(['13800000002', '13900000009']);
    expect(bodies[0]).to.include({ apiKey: SECRETS.HOOK_SIGN, sign: '衡阳网控' });
    expect(bodies[0].content.startsWith(notice.title)).to.equal(true);
    expect(bodies[0].content.length).to.be.at.most(300);
    rx.respond = () => ({ status: 200, body: '{"result":{"code":41,"msg":"balance exhausted"}}' });
    const err = await sms!.notifier.send(notice).then(
      () => null,
      (e: Error) => e,
    );
    expect(err!.message).to.contain('balance exhausted');
  });

  it('broadcasts to every browser connected to the console’s WebSocket hub', async () => {
    const hub = new WebSocketHub();
    const server = createServer();
    server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const [ws] = buildChannels([{ name: 'console', kind: 'websocket' }], { env: SECRETS }, 'alarms.channels', { websocketHub: hub });
      const port = (server.address() as { port: number }).port;
      const clients = await Promise.all(
        [0, 1].map(
          () =>
            new Promise<WebSocket>((res) => {
              const c = new WebSocket(`ws://127.0.0.1:${port}/ws`);
              c.once('open', () => res(c));
            }),
        ),
      );
      const got = clients.map((c) => new Promise<string>((res) => c.once('message', (d) => res(d.toString()))));
      const notice = buildNotice(topology, alarm, 'raised', 'console', { language: 'zh', consoleUrl: 'http://nms.local', nowMs: T0 });
      await ws!.notifier.send(notice);
      for (const text of await Promise.all(got))
        expect(JSON.parse(text)).to.deep.include({ type: 'alarm', id: notice.id, reason: 'raised', title: notice.title });
      for (const c of clients) c.close();
    } finally {
      await hub.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
