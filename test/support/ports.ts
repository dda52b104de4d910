/** A free UDP port on loopback, for servers that cannot be told to pick one (net-snmp reads 0 as 161). */
import dgram from 'node:dgram';

export function udpFreePort(): Promise<number> {
  return new Promise((res) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
