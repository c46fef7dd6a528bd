import { describe, expect, it } from 'vitest';
import { validateIscsiConfig, type IscsiConfig } from '../../../hal/scsi/iscsi/config.ts';
import { decodeTargetPdu, type LoginResponse } from '../../../hal/scsi/iscsi/decode.ts';
import { encodeLoginRequest, LoginStage } from '../../../hal/scsi/iscsi/encode.ts';
import { IscsiProtocolError } from '../../../hal/scsi/iscsi/errors.ts';
import { PduFramer } from '../../../hal/scsi/iscsi/framer.ts';
import { performLogin, type LoginExchange } from '../../../hal/scsi/iscsi/login.ts';
import {
  Negotiation,
  OUR_MAX_RECV_DATA_SEGMENT_LENGTH,
  type NegotiationStage,
  type SessionType,
} from '../../../hal/scsi/iscsi/negotiation.ts';
import { paddingFor } from '../../../hal/scsi/iscsi/pdu.ts';
import { decodeText } from '../../../hal/scsi/iscsi/text.ts';
import { LIO_6_1, REPLAY_ISID, TGT_1_0_85, type LoginExchangeFixture } from './login-exchanges.ts';

const DEVICE = 'replay';

function configFor(f: { targetIqn: string; initiatorName: string }): IscsiConfig {
  return validateIscsiConfig({
    portal: { host: '127.0.0.1', port: 3260 },
    targetIqn: f.targetIqn,
    initiatorName: f.initiatorName,
    lun: 0,
  });
}

/** The response PDU of a step, as the target puts it on the wire. */
function responseBytes(bhsHex: string, text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(bhsHex.replace(/\s+/g, ''), 'hex'), data, paddingFor(data.length)]);
}

/** A LoginExchange that checks each request's bytes and answers with the fixture's bytes. */
function replay(f: LoginExchangeFixture): { exchange: LoginExchange; rounds: () => number } {
  const framer = new PduFramer({ device: DEVICE, maxDataSegmentLength: OUR_MAX_RECV_DATA_SEGMENT_LENGTH });
  let i = 0;
  let expStatSN = 0;
  const exchange: LoginExchange = {
    round(transit, csg, nsg, text) {
      const step = f.steps[i++];
      if (step === undefined) throw new Error(`${f.target}: request ${i} beyond the exchange`);
      const request = Buffer.concat(
        encodeLoginRequest({
          transit,
          csg,
          nsg,
          isid: REPLAY_ISID,
          tsih: 0,
          itt: 0,
          cid: 0,
          cmdSN: 1,
          expStatSN,
          text,
        }),
      );
      expect(request[0], `request ${i} opcode`).toBe(0x43);
      expect(request[1], `request ${i} flags`).toBe(step.requestFlags);
      expect(request.readUIntBE(5, 3), `request ${i} DataSegmentLength`).toBe(
        Buffer.byteLength(step.requestText),
      );
      expect(request.subarray(48, 48 + text.length).toString('utf8'), `request ${i} text`).toBe(
        step.requestText,
      );
      const pdus = framer.push(responseBytes(step.responseBhs, step.responseText));
      expect(pdus).toHaveLength(1);
      const r = decodeTargetPdu(pdus[0]!, DEVICE);
      if (r.kind !== 'login-response') throw new Error(`not a login response: ${r.kind}`);
      expStatSN = (r.statSN + 1) >>> 0;
      return Promise.resolve(r);
    },
  };
  return { exchange, rounds: () => i };
}

describe('login replays of real targets (bytes from their source)', () => {
  it('fixtures are consistent: DataSegmentLength matches each text', () => {
    for (const f of [LIO_6_1, TGT_1_0_85]) {
      for (const s of f.steps) {
        const bhs = Buffer.from(s.responseBhs.replace(/\s+/g, ''), 'hex');
        expect(bhs).toHaveLength(48);
        expect(bhs.readUIntBE(5, 3)).toBe(Buffer.byteLength(s.responseText));
      }
    }
  });

  it('logs in to LIO (Linux 6.1), answering DefaultTime2Wait/Retain and its other proposals', async () => {
    const { exchange, rounds } = replay(LIO_6_1);
    const params = await performLogin(configFor(LIO_6_1), exchange, DEVICE);
    expect(rounds()).toBe(3);
    expect(params).toEqual({
      targetMaxRecvDataSegmentLength: 262144,
      firstBurstLength: 65536,
      maxBurstLength: 262144,
      initialR2T: true,
      immediateData: true,
      tsih: 1,
    });
  });

  it('logs in to tgt 1.0.85 in two rounds and assumes MaxRecvDataSegmentLength 8192', async () => {
    const { exchange, rounds } = replay(TGT_1_0_85);
    const params = await performLogin(configFor(TGT_1_0_85), exchange, DEVICE);
    expect(rounds()).toBe(2);
    expect(params).toEqual({
      targetMaxRecvDataSegmentLength: 8192,
      firstBurstLength: 65536,
      maxBurstLength: 262144,
      initialR2T: true,
      immediateData: true,
      tsih: 0x0100, // tgt writes TSIH 1 in host byte order
    });
  });
});

const pairs = (text: string): Map<string, string> =>
  decodeText(Buffer.from(text.split(';').join('\0') + '\0'), DEVICE);

function neg(sessionType: SessionType = 'Normal'): Negotiation {
  return new Negotiation({ sessionType, device: DEVICE });
}

/** The answers one Negotiation gives to one response. */
function answer(text: string, stage: NegotiationStage = 'operational', sessionType?: SessionType) {
  return Object.fromEntries(neg(sessionType).receive(stage, pairs(text), false));
}

describe('RFC 7143 negotiation rules', () => {
  it('answers a key it does not know with NotUnderstood (§6.2)', () => {
    expect(answer('X-com.example.Mode=fast;FooBar=1')).toEqual({
      'X-com.example.Mode': 'NotUnderstood',
      FooBar: 'NotUnderstood',
    });
  });

  it('numbers: min and max result functions (§6.2.2)', () => {
    expect(answer('DefaultTime2Wait=5;DefaultTime2Retain=20;MaxConnections=4;ErrorRecoveryLevel=2')).toEqual({
      DefaultTime2Wait: '5', // max(5, ours 2)
      DefaultTime2Retain: '0', // min(20, ours 0)
      MaxConnections: '1', // min(4, ours 1)
      ErrorRecoveryLevel: '0', // min(2, ours 0)
    });
    expect(answer('DefaultTime2Wait=1')).toEqual({ DefaultTime2Wait: '2' });
    expect(answer('MaxBurstLength=0x1000')).toEqual({ MaxBurstLength: '4096' });
  });

  it('numbers out of range or not numbers are answered Reject', () => {
    expect(answer('DefaultTime2Wait=3601;MaxConnections=0;MaxBurstLength=256;FirstBurstLength=big')).toEqual({
      DefaultTime2Wait: 'Reject',
      MaxConnections: 'Reject',
      MaxBurstLength: 'Reject',
      FirstBurstLength: 'Reject',
    });
  });

  it('booleans: AND and OR, Reject for anything but Yes/No', () => {
    expect(answer('IFMarker=Yes;DataPDUInOrder=No;DataSequenceInOrder=Yes;InitialR2T=Maybe')).toEqual({
      IFMarker: 'No', // AND with our No
      DataPDUInOrder: 'Yes', // OR with our Yes
      DataSequenceInOrder: 'Yes',
      InitialR2T: 'Reject',
    });
  });

  it('lists: the first proposed value we support, else Reject (§6.2.1)', () => {
    expect(answer('HeaderDigest=CRC32C,None;DataDigest=CRC32C;TaskReporting=ResponseFence,RFC3720')).toEqual({
      HeaderDigest: 'None',
      DataDigest: 'Reject',
      TaskReporting: 'RFC3720',
    });
  });

  it('marker intervals are answered Reject', () => {
    expect(answer('OFMarkInt=2048~8192')).toEqual({ OFMarkInt: 'Reject' });
  });

  it('declarations are recorded, not answered', () => {
    const n = neg();
    expect(n.receive('security', pairs('TargetAlias=LIO Target;TargetPortalGroupTag=1'), true)).toEqual([]);
    expect(n.declaration('TargetAlias')).toBe('LIO Target');
    expect(n.declaration('TargetPortalGroupTag')).toBe('1');
    expect(() => neg().receive('security', pairs('TargetPortalGroupTag=70000'), false)).toThrow(
      IscsiProtocolError,
    );
  });

  it('keys irrelevant in a discovery session are answered Irrelevant', () => {
    expect(
      answer('MaxConnections=1;ImmediateData=Yes;ErrorRecoveryLevel=0', 'operational', 'Discovery'),
    ).toEqual({
      MaxConnections: 'Irrelevant',
      ImmediateData: 'Irrelevant',
      ErrorRecoveryLevel: '0',
    });
  });

  it('in a Text Request exchange, login-only keys are answered Reject', () => {
    const n = neg();
    expect(
      n.receive('full-feature', pairs('MaxBurstLength=65536;MaxRecvDataSegmentLength=65536'), false),
    ).toEqual([['MaxBurstLength', 'Reject']]);
    expect(n.declaration('MaxRecvDataSegmentLength')).toBe('65536');
  });

  it('a key the target sends twice is a protocol error (§6.2)', () => {
    const n = neg();
    n.receive('operational', pairs('DefaultTime2Wait=2'), false);
    expect(() => n.receive('operational', pairs('DefaultTime2Wait=2'), false)).toThrow(/twice/);
  });

  it('Reject, Irrelevant and NotUnderstood as proposals are protocol errors', () => {
    for (const v of ['Reject', 'Irrelevant', 'NotUnderstood'])
      expect(() => answer(`DefaultTime2Wait=${v}`)).toThrow(IscsiProtocolError);
  });

  it('initiator-only keys from the target, and security keys after the security stage, are protocol errors', () => {
    expect(() => answer('InitiatorName=iqn.2026-11.invalid.x:y')).toThrow(/only an initiator/);
    expect(() => answer('SessionType=Normal')).toThrow(/only an initiator/);
    expect(() => answer('AuthMethod=None')).toThrow(/outside the security stage/);
  });

  it('answers to our proposals must be admissible', () => {
    const bad: [string, string, Record<string, string>?][] = [
      ['MaxBurstLength', 'MaxBurstLength=524288'], // min function: above our 262144
      ['HeaderDigest', 'HeaderDigest=CRC32C'], // we offered only None
      ['ErrorRecoveryLevel', 'ErrorRecoveryLevel=NotUnderstood'], // a standard key
      ['ImmediateData', 'ImmediateData=Yes', { ImmediateData: 'No' }], // AND with our No
      ['InitialR2T', 'InitialR2T=No'], // OR with our Yes
    ];
    for (const [key, reply, ours] of bad) {
      const n = new Negotiation({ sessionType: 'Normal', device: DEVICE, ...(ours && { ours }) });
      n.offer([key]);
      expect(() => n.receive('operational', pairs(reply), false), reply).toThrow(IscsiProtocolError);
    }
    const n = neg();
    n.offer(['MaxBurstLength', 'DataDigest']);
    n.receive('operational', pairs('MaxBurstLength=65536;DataDigest=Reject'), false);
    expect(n.result('MaxBurstLength')).toBe('65536');
    expect(n.result('DataDigest')).toBe('None'); // rejected: the default stands
  });

  it('the sequence does not end while one of our proposals is unanswered, or one of theirs needs an answer', () => {
    const ours = neg();
    ours.offer(['ErrorRecoveryLevel', 'InitialR2T']);
    expect(ours.unanswered).toEqual(['ErrorRecoveryLevel']); // OR with Yes: the answer is optional
    expect(() => ours.receive('operational', new Map(), true)).toThrow(
      /without answering ErrorRecoveryLevel/,
    );
    expect(() => neg().receive('operational', pairs('DefaultTime2Wait=2'), true)).toThrow(/while proposing/);
    // Optional answers (OR with Yes) do not hold the end.
    expect(neg().receive('operational', pairs('DataPDUInOrder=Yes'), true)).toEqual([]);
  });
});

/** A scripted target: each response given as (transit, nsg, text). */
function scripted(responses: [boolean, LoginStage, string][]): LoginExchange {
  let i = 0;
  return {
    round(_t, csg) {
      const [transit, nsg, text] = responses[Math.min(i++, responses.length - 1)]!;
      const r: LoginResponse = {
        kind: 'login-response',
        transit,
        cont: false,
        csg,
        nsg: transit ? nsg : 0,
        versionMax: 0,
        versionActive: 0,
        isid: REPLAY_ISID,
        tsih: transit && nsg === LoginStage.FULL_FEATURE ? 1 : 0,
        itt: 0,
        statSN: i,
        expCmdSN: 1,
        maxCmdSN: 1,
        statusClass: 0,
        statusDetail: 0,
        data: Buffer.from(text ? text.split(';').join('\0') + '\0' : ''),
      };
      return Promise.resolve(r);
    },
  };
}

describe('login ends only when both sides are answered', () => {
  const config = configFor(LIO_6_1);
  const security: [boolean, LoginStage, string] = [true, LoginStage.OPERATIONAL, 'AuthMethod=None'];
  const answered =
    'HeaderDigest=None;DataDigest=None;ImmediateData=Yes;FirstBurstLength=65536;MaxBurstLength=262144;MaxOutstandingR2T=1';

  it('a target that enters full feature phase without answering our ErrorRecoveryLevel fails the login', async () => {
    await expect(
      performLogin(config, scripted([security, [true, LoginStage.FULL_FEATURE, answered]]), DEVICE),
    ).rejects.toThrow(/without answering ErrorRecoveryLevel/);
  });

  it('a target that proposes a key in its last response fails the login', async () => {
    const last: [boolean, LoginStage, string] = [
      true,
      LoginStage.FULL_FEATURE,
      `${answered};ErrorRecoveryLevel=0;DefaultTime2Retain=20`,
    ];
    await expect(performLogin(config, scripted([security, last]), DEVICE)).rejects.toThrow(/while proposing/);
  });

  it('a target that never moves to full feature phase fails the login after bounded rounds', async () => {
    const stay: [boolean, LoginStage, string] = [false, LoginStage.OPERATIONAL, ''];
    await expect(
      performLogin(
        config,
        scripted([security, [false, 0, `${answered};ErrorRecoveryLevel=0`], stay]),
        DEVICE,
      ),
    ).rejects.toThrow(/operational negotiation did not finish/);
  });

  it('a target that answers AuthMethod with Reject fails the login', async () => {
    await expect(
      performLogin(config, scripted([[true, LoginStage.OPERATIONAL, 'AuthMethod=Reject']]), DEVICE),
    ).rejects.toThrow(/AuthMethod=Reject/);
  });
});
