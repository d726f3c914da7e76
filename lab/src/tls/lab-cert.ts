import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

/** The lab's one self-signed certificate: every lab server presents it (as a real iDRAC presents its own). */
export interface LabCert {
  key: string;
  cert: string;
  /** SHA-256 of the DER certificate, upper-case hex with colons (`AB:CD:...`), for pinning. */
  sha256: string;
}

/** One certificate per lab: SANs 127.0.0.1 and localhost, valid a year from now. */
export async function createLabCert(commonName = 'rackops-lab'): Promise<LabCert> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, sha256: certSha256(pems.cert) };
}

export function certSha256(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
