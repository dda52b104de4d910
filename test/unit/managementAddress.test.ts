import { expect } from 'chai';
import { canonicalHost, parseManagementAddress } from '../../shared/net/managementAddress.ts';

describe('management addresses', () => {
  it('reads an address with or without a port, IPv6 in brackets and canonical form', () => {
    expect(parseManagementAddress('10.43.0.9')).to.deep.equal({ host: '10.43.0.9', port: null });
    expect(parseManagementAddress('10.43.0.9:1161')).to.deep.equal({ host: '10.43.0.9', port: 1161 });
    expect(parseManagementAddress('[2001:DB8:0::9]:1161')).to.deep.equal({ host: '2001:db8::9', port: 1161 });
    expect(parseManagementAddress('::1')).to.deep.equal({ host: '::1', port: null });
    expect(canonicalHost('0:0:0:0:0:0:0:1')).to.equal('::1');
  });

  it('says what is wrong with anything else', () => {
    expect(parseManagementAddress('router.example')).to.match(/must be an IPv4 or IPv6 address/);
    expect(parseManagementAddress('10.43.0.9:70000')).to.match(/port 70000 is not between 1 and 65535/);
    expect(parseManagementAddress('[10.43.0.9]:161')).to.match(/only an IPv6 address goes in brackets/);
    expect(parseManagementAddress('10.43.0.9:')).to.match(/must be an IPv4 or IPv6 address/);
  });
});
