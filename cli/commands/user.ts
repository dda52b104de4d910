import { EXIT, type Command } from '../command.ts';
import { hashPassword } from '../../server/http/users.ts';

export const userCommand: Command = {
  summary: 'console users: make a password hash for nms.yaml',
  usage: `Usage: nms user hash < password-file

Reads a password from standard input (its first line) and prints its scrypt
hash, for console.users[].passwordHash in nms.yaml. The password itself is
never stored anywhere.

Example:
  printf '%s' 'a long passphrase' | nms user hash`,
  options: {},
  maxPositionals: 1,
  async run({ positionals }) {
    if (positionals[0] !== 'hash') {
      console.error('nms user: the only action is "hash" (nms user hash < password-file)');
      return EXIT.usage;
    }
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (password.length < 8) {
      console.error('nms user hash: give a password of at least 8 characters on standard input');
      return EXIT.usage;
    }
    console.log(hashPassword(password));
    return EXIT.ok;
  },
};
