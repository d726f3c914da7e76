import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileInside } from '../../src/fs/file-inside';
import { jobIdFrom } from '../../src/redfish/redfish-client';

const dir = mkdtempSync(join(tmpdir(), 'rackops-scp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a hostile iDRAC cannot make the agent write outside its SCP folder', () => {
  it('takes a job id from the body only when it is a plain JID (was: any string starting JID_)', () => {
    const body = (id: string) => Buffer.from(JSON.stringify({ Id: id }));
    expect(jobIdFrom('idrac-x', undefined, body('JID_123456789012'))).toBe('JID_123456789012');
    for (const hostile of ['JID_/../../../tmp/owned', 'JID_..', 'JID_a/b', `JID_${'9'.repeat(65)}`, 'JID_ x'])
      expect(() => jobIdFrom('idrac-x', undefined, body(hostile)), hostile).toThrow(/no job id/);
  });

  it('reads only the JID characters out of a Location header', () => {
    expect(jobIdFrom('idrac-x', '/redfish/v1/TaskService/Tasks/JID_1234', Buffer.alloc(0))).toBe('JID_1234');
    expect(jobIdFrom('idrac-x', '/redfish/v1/TaskService/Tasks/JID_12/../../x', Buffer.alloc(0))).toBe(
      'JID_12',
    );
  });

  it('builds file names from ids only inside the folder', () => {
    expect(fileInside(dir, 'LABA001-JID_1.xml')).toBe(join(dir, 'LABA001-JID_1.xml'));
    for (const bad of [
      '../x.xml',
      'LABA001-JID_/../../x.xml',
      '..',
      '.hidden',
      'a/b',
      '/etc/passwd',
      '',
      'a\0b',
    ])
      expect(() => fileInside(dir, bad), bad).toThrow(/unsafe file name|leaves/);
  });
});
