import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, readConfig } from '../src/config';

const PRINCIPAL = 'arn:aws:iam::123456789012:role/rackops-relay-agent-example';
const config = (context: Record<string, unknown>) =>
  readConfig(new App({ context: { 'rackops:relayAgentPrincipal': PRINCIPAL, ...context } }).node);

describe('readConfig', () => {
  it('applies defaults for everything but the prefix', () => {
    expect(config({ 'rackops:prefix': 'rackops' })).toEqual({
      prefix: 'rackops',
      relayAgentPrincipal: PRINCIPAL,
      teamsAppId: '',
      productionClusters: [],
      logRetentionDays: 90,
      backupRetentionDays: 365,
      heartbeatMissingMinutes: 15,
      bundle: true,
      inventorySchedules: { everyMinutes: 60, vcenters: [], omes: [] },
    });
  });

  it('accepts -c strings: numbers, booleans and JSON arrays', () => {
    const c = config({
      'rackops:prefix': 'ops',
      'rackops:logRetentionDays': '30',
      'rackops:bundle': 'false',
      'rackops:productionClusters': '["domain-c8","domain-c9"]',
      'rackops:alarmEmail': 'oncall@example.com',
    });
    expect(c).toMatchObject({
      logRetentionDays: 30,
      bundle: false,
      productionClusters: ['domain-c8', 'domain-c9'],
      alarmEmail: 'oncall@example.com',
    });
  });

  it('refuses a bad prefix, principal or heartbeat window with the context key in the message', () => {
    expect(() => config({ 'rackops:prefix': 'Rack Ops' })).toThrow(InvalidConfigError);
    expect(() => config({ 'rackops:prefix': 'Rack Ops' })).toThrow(/rackops:prefix/);
    expect(() => config({ 'rackops:prefix': 'r', 'rackops:relayAgentPrincipal': 'someone' })).toThrow(
      /rackops:/,
    );
    expect(() => config({ 'rackops:prefix': 'rackops', 'rackops:heartbeatMissingMinutes': 7 })).toThrow(
      /rackops:heartbeatMissingMinutes/,
    );
  });

  it('requires the relay agent principal, saying what to pass', () => {
    const without = () => readConfig(new App({ context: { 'rackops:prefix': 'rackops' } }).node);
    expect(without).toThrow(InvalidConfigError);
    expect(without).toThrow(
      /rackops:relayAgentPrincipal: required: .*-c rackops:relayAgentPrincipal=arn:aws:iam::/,
    );
  });

  it('refuses an account root as the relay agent principal', () => {
    expect(() =>
      config({
        'rackops:prefix': 'rackops',
        'rackops:relayAgentPrincipal': 'arn:aws:iam::123456789012:root',
      }),
    ).toThrow(/rackops:relayAgentPrincipal: an account root is not a principal/);
  });

  it('requires the prefix', () => {
    expect(() => config({})).toThrow(/rackops:prefix/);
  });
});
