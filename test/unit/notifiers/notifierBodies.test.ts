/**
 * What each transport sends, as the pure functions build it, against the
 * exact JSON the vendor's robot API documents (DingTalk markdown with @,
 * WeCom markdown or text with mentioned_mobile_list, Feishu text with
 * timestamp and sign), and the SMS and webhook shapes nms promises. The
 * integration tests post these to a local receiver; here every byte of the
 * body is fixed.
 */
import { expect } from 'chai';
import type { Alarm } from '../../../shared/alarms/types.ts';
import { dingtalkBody } from '../../../server/notifiers/dingtalkNotifier.ts';
import { feishuBody, feishuSign } from '../../../server/notifiers/feishuNotifier.ts';
import { mentionedMobiles, type AlarmNotice, type ReportNotice } from '../../../server/notifiers/notifier.ts';
import { fillSmsTemplate, smsText } from '../../../server/notifiers/smsNotifier.ts';
import { webhookAlarmBody, webhookReportBody } from '../../../server/notifiers/webhookNotifier.ts';
import { wecomBody } from '../../../server/notifiers/wecomNotifier.ts';

const ALARM: Alarm = {
  id: 'circuit_down:HY-HYX@1764720000000',
  key: 'circuit_down:HY-HYX',
  kind: 'circuit_down',
  severity: 'critical',
  subject: { type: 'circuit', id: 'HY-HYX' },
  startedAtMs: 1764720000000,
  raisedAtMs: 1764720004000,
  clearedAtMs: null,
  endedAtMs: null,
  ack: null,
  shelvedUntilMs: null,
  impactedCircuits: ['HYX-GAJ'],
  impactedSites: ['hyx-gaj'],
  detail: 'ifOperStatus down',
  maintenance: false,
};

const notice = (mentions: AlarmNotice['mentions'] = []): AlarmNotice => ({
  id: 'circuit_down:HY-HYX@1764720000000/raised/ding',
  reason: 'raised',
  alarm: ALARM,
  title: '【紧急】衡阳县10M专线中断',
  lines: ['电路编号：HYDX-MSTP10M-0001', '受影响：衡阳县公安局', 'http://127.0.0.1:8080/#/alarms/x'],
  url: 'http://127.0.0.1:8080/#/alarms/x',
  language: 'zh',
  mentions,
});

const ON_DUTY = [{ name: '张伟', mobile: '13800000001', email: null }];

describe('notifier request bodies', () => {
  it('mentions each mobile once, configured or on-duty first as the channel needs', () => {
    const n = notice([...ON_DUTY, { name: '李娜', mobile: null, email: 'li@example.cn' }]);
    expect(mentionedMobiles(n, ['13900000002', '13800000001'])).to.deep.equal(['13900000002', '13800000001']);
    expect(mentionedMobiles(n, ['13900000002'], 'on duty')).to.deep.equal(['13800000001', '13900000002']);
    expect(mentionedMobiles(notice(), [])).to.deep.equal([]);
  });

  it('gives DingTalk markdown that writes each @ in the text as well as in at.atMobiles', () => {
    expect(JSON.stringify(dingtalkBody(notice(), ['13800000001']))).to.equal(
      JSON.stringify({
        msgtype: 'markdown',
        markdown: {
          title: '【紧急】衡阳县10M专线中断',
          text: '### 【紧急】衡阳县10M专线中断\n- 电路编号：HYDX-MSTP10M-0001\n- 受影响：衡阳县公安局\n- http://127.0.0.1:8080/#/alarms/x\n@13800000001',
        },
        at: { atMobiles: ['13800000001'], isAtAll: false },
      }),
    );
    // With no one to @, no empty last line.
    expect(dingtalkBody(notice(), []).markdown.text.endsWith('alarms/x')).to.equal(true);
  });

  it('gives WeCom markdown, or text with mentioned_mobile_list when someone is to be @-ed', () => {
    expect(JSON.stringify(wecomBody(notice(), []))).to.equal(
      JSON.stringify({
        msgtype: 'markdown',
        markdown: { content: '**【紧急】衡阳县10M专线中断**\n> 电路编号：HYDX-MSTP10M-0001\n> 受影响：衡阳县公安局\n> http://127.0.0.1:8080/#/alarms/x' },
      }),
    );
    expect(JSON.stringify(wecomBody(notice(), ['13800000001']))).to.equal(
      JSON.stringify({
        msgtype: 'text',
        text: {
          content: '【紧急】衡阳县10M专线中断\n电路编号：HYDX-MSTP10M-0001\n受影响：衡阳县公安局\nhttp://127.0.0.1:8080/#/alarms/x',
          mentioned_mobile_list: ['13800000001'],
        },
      }),
    );
  });

  it('gives Feishu text, with the timestamp in seconds as a string and the sign its docs compute', () => {
    const text = '【紧急】衡阳县10M专线中断\n电路编号：HYDX-MSTP10M-0001\n受影响：衡阳县公安局\nhttp://127.0.0.1:8080/#/alarms/x';
    expect(JSON.stringify(feishuBody(notice(), null))).to.equal(JSON.stringify({ msg_type: 'text', content: { text } }));
    // HMAC-SHA256 keyed by "timestamp\nsecret" over nothing, Base64, as Feishu documents it; the figure from
    // printf '' | openssl dgst -sha256 -hmac $'1599360473\ndemo' -binary | base64
    const sign = feishuSign(1599360473, 'demo');
    expect(sign).to.equal('l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=');
    expect(JSON.stringify(feishuBody(notice(), { timestampS: 1599360473, sign }))).to.equal(
      JSON.stringify({ msg_type: 'text', content: { text }, timestamp: '1599360473', sign }),
    );
  });

  it('fills an SMS gateway template at any depth, and keeps the message to one short line without the console link', () => {
    const text = smsText(notice(), 300);
    expect(text).to.equal('【紧急】衡阳县10M专线中断 电路编号：HYDX-MSTP10M-0001 受影响：衡阳县公安局');
    expect(smsText(notice(), 20)).to.have.length(20);
    const template = { to: '{phone}', sign: '衡阳电政', params: [{ k: 'msg', v: '{title}: {text}' }], auth: { key: '{token}' }, n: 1, raw: '{other}' };
    expect(fillSmsTemplate(template, { phone: '13800000001', text, title: 'T', token: 'k' })).to.deep.equal({
      to: '13800000001',
      sign: '衡阳电政',
      params: [{ k: 'msg', v: `T: ${text}` }],
      auth: { key: 'k' },
      n: 1,
      raw: '{other}',
    });
  });

  it('gives a webhook the whole notice for an alarm, and only links for a report', () => {
    expect(JSON.stringify(webhookAlarmBody(notice(ON_DUTY)))).to.equal(
      JSON.stringify({
        id: 'circuit_down:HY-HYX@1764720000000/raised/ding',
        reason: 'raised',
        title: '【紧急】衡阳县10M专线中断',
        text: '电路编号：HYDX-MSTP10M-0001\n受影响：衡阳县公安局\nhttp://127.0.0.1:8080/#/alarms/x',
        url: 'http://127.0.0.1:8080/#/alarms/x',
        language: 'zh',
        mentions: ON_DUTY,
        alarm: ALARM,
      }),
    );
    const report: ReportNotice = {
      id: 'monthly/2026-11/hook',
      title: '2026年11月 带宽与SLA月报',
      lines: ['全网可用率 99.97%'],
      links: [{ format: 'pdf', url: 'http://127.0.0.1:8080/api/reports/stored/monthly/a.pdf' }],
      attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF'), contentType: 'application/pdf' }],
    };
    expect(JSON.stringify(webhookReportBody(report))).to.equal(
      JSON.stringify({ id: 'monthly/2026-11/hook', type: 'report', title: '2026年11月 带宽与SLA月报', text: '全网可用率 99.97%', links: report.links }),
    );
  });
});
