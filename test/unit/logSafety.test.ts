/**
 * What reaches a log: text from the network escaped and bounded, and the
 * trap receiver's refusals in words that carry nothing the sender chose and
 * nothing derived from our keys.
 */
import { expect } from 'chai';
import { trapRefusal } from '../../collectors/traps/trapReceiver.ts';
import { logSafe, MAX_LOG_MESSAGE, memoryLogger } from '../../shared/log.ts';

describe('log safety', () => {
  it('shows control and invisible characters as escapes, so no message can forge a line', () => {
    const log = memoryLogger();
    log.warn('evil\n2026-12-02T00:00:00.000Z info [nms/alarms] FORGED\u001b[31m\u202e\ufeff\u0000');
    expect(log.lines).to.have.length(1);
    expect(log.lines[0]).to.include('evil\\x0a2026-12-02T00:00:00.000Z info [nms/alarms] FORGED\\x1b[31m\\u{202e}\\u{feff}\\x00');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
    expect(log.lines[0]).not.to.match(/[\u0000-\u001f\u202e\ufeff]/);
  });

  it('cuts a message at its bound and says how much was left out', () => {
    const out = logSafe('x'.repeat(MAX_LOG_MESSAGE + 500));
    expect(out.length).to.be.below(MAX_LOG_MESSAGE + 40);
    expect(out).to.match(/… \(500 more characters\)$/);
  });

  it("words net-snmp's refusals without the community received, the user name or a digest", () => {
    const digest = 'Authentication digest 0a1b2c3d4e5f60718293a4b5 received in message does not match digest 99887766554433221100aabb calculated for message';
    expect(trapRefusal('Local community not found for message with community cpe-community-for-testX')).to.equal('unknown community (23 bytes)');
    expect(trapRefusal(digest)).to.equal('SNMPv3 authentication failed: wrong key or engine');
    expect(trapRefusal('Local user not found and message requires authentication with user evil\nuser')).to.equal('unknown SNMPv3 user');
    expect(trapRefusal('Local user nms-ro requires security level authPriv, but message sent with noAuthNoPriv')).to.equal(
      'SNMPv3 security level not allowed for that user',
    );
    expect(trapRefusal('anything else: 30 82 ff ff')).to.equal('not a readable SNMP message');
  });
});
