import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP) for the doctor's SPF/DKIM/DMARC checks:
 * answers TXT queries from `txt` (name → records), NS for the root zone (the doctor's online
 * probe), and NXDOMAIN for everything else. Stands in for the internet's DNS.
 */
export async function startDnsServer(txt: Record<string, string[]>) {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let offset = 12;
    const labels: string[] = [];
    while (msg[offset]! > 0) {
      const len = msg[offset]!;
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
      offset += len + 1;
    }
    const questionEnd = offset + 5; // zero byte + type + class
    const type = msg.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    const answers: Buffer[] = [];
    if (type === 16 && txt[name])
      for (const record of txt[name]!) {
        const data = Buffer.concat([Buffer.from([record.length]), Buffer.from(record, 'ascii')]);
        answers.push(rr(16, data));
      }
    if (type === 2 && name === '') answers.push(rr(2, Buffer.from([1, 97, 0]))); // "a."
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    const known = name === '' || txt[name] !== undefined;
    header.writeUInt16BE(known ? 0x8580 : 0x8583, 2); // response, authoritative, NOERROR / NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(
      Buffer.concat([header, msg.subarray(12, questionEnd), ...answers]),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return { server: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

function rr(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(300, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}
