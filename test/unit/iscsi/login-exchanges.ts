// Login exchanges of the two targets we meet, byte for byte: what our
// initiator sends (flags and text) and what each target's code answers.
// Derived by reading the targets' sources; the comments say which function
// produces each byte. LIO's responses were then captured from LIO on Linux
// 6.1 (Debian bookworm's 6.1.0-57-amd64, in the kernel tier): identical to LIO_6_1
// except the ISID (ours) and LIO's random StatSN, and
// test/kernel/iscsi-reservations.test.ts compares them on every run. tgt's
// have not been captured. Our requests carry ISID 80 12 34 56 78 9a,
// ITT 0, CID 0, CmdSN 1 (the replay test encodes them with those values).

export const REPLAY_ISID = Buffer.from('80123456789a', 'hex');

export interface LoginStep {
  /** Byte 1 of our Login Request: T bit, CSG << 2, NSG. */
  readonly requestFlags: number;
  /** Our request's data segment, exactly. */
  readonly requestText: string;
  /** The target's Login Response BHS (48 bytes), hex, spaces ignored. */
  readonly responseBhs: string;
  /** The response's data segment (before padding), exactly. */
  readonly responseText: string;
}

export interface LoginExchangeFixture {
  readonly target: string;
  readonly targetIqn: string;
  readonly initiatorName: string;
  readonly steps: readonly LoginStep[];
}

const INITIATOR = 'iqn.2026-11.invalid.tandem:a';
const TARGET = 'iqn.2026-11.invalid.tandem:shared';

/** Our first request (AuthMethod=None), the same for every target. */
const SECURITY_REQUEST = `InitiatorName=${INITIATOR}\0SessionType=Normal\0TargetName=${TARGET}\0AuthMethod=None\0`;
/** Our operational offer (login.ts OPERATIONAL_OFFER, values from negotiation.ts KEYS). */
const OPERATIONAL_REQUEST =
  'HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=262144\0InitialR2T=Yes\0' +
  'ImmediateData=Yes\0FirstBurstLength=65536\0MaxBurstLength=262144\0MaxOutstandingR2T=1\0' +
  'ErrorRecoveryLevel=0\0';

/**
 * LIO, Linux 6.1 (drivers/target/iscsi), iSCSI TPG 1 with attribute
 * authentication=0 (so the TPG's AuthMethod list is "CHAP,None",
 * iscsit_ta_authentication() in iscsi_target_tpg.c), no TargetAlias set (the
 * default "LIO Target"), default_erl 0, login_keys_workaround 1 (default).
 *
 * Header, all responses (iscsi_target_do_tx_login_io() in iscsi_target_nego.c):
 * opcode 0x23; versions 0 (the login response header is zeroed); ISID
 * echoed; TSIH login->tsih (0 until the last response, then the session's:
 * ++tpg->ntsih in iscsi_login_zero_tsih_s2(), 1 for the first session);
 * ITT echoed; StatSN conn->stat_sn++ where stat_sn starts random
 * (iscsi_login_set_conn_values(): get_random_bytes_wait; 0x3a7c9e11 here);
 * ExpCmdSN = MaxCmdSN = our CmdSN (iscsi_login_zero_tsih_s1(); the window
 * only opens in iscsi_post_login_handler() -> iscsit_determine_maxcmdsn(),
 * after the last response).
 *
 * Text (iscsi_encode_text_output() in iscsi_target_parameters.c) walks the
 * parameter list in the order iscsi_create_default_params() builds it
 * (AuthMethod, HeaderDigest, DataDigest, MaxConnections, SendTargets,
 * TargetName, InitiatorName, TargetAlias, InitiatorAlias, TargetAddress,
 * TargetPortalGroupTag, InitialR2T, ImmediateData, MaxXmitDataSegmentLength,
 * MaxRecvDataSegmentLength, MaxBurstLength, FirstBurstLength,
 * DefaultTime2Wait, DefaultTime2Retain, MaxOutstandingR2T, DataPDUInOrder,
 * DataSequenceInOrder, ErrorRecoveryLevel, SessionType, markers, iSER keys),
 * writing first the answers it owes (acceptor, not reply-optional), then its
 * own proposals of every key iscsi_set_keys_to_negotiate() marked that nobody
 * has sent yet, with the INITIAL_* values of iscsi_target_parameters.h.
 */
export const LIO_6_1: LoginExchangeFixture = {
  target: 'LIO (Linux 6.1)',
  targetIqn: TARGET,
  initiatorName: INITIATOR,
  steps: [
    {
      requestFlags: 0x81, // T, CSG 0, NSG 1
      requestText: SECURITY_REQUEST,
      // iscsi_target_handle_csg_zero(): AuthMethod=None picked from "CHAP,None"
      // (iscsi_check_valuelist_for_support); TargetAlias and
      // TargetPortalGroupTag are the target's declarative proposals. No keys
      // left unanswered (iscsi_check_negotiated_keys skips declaratives), so T, NSG 1.
      responseBhs:
        '23810000 0000003e 80123456 789a0000 00000000 00000000 3a7c9e11 00000001 00000001 00000000 00000000 00000000',
      responseText: 'AuthMethod=None\0TargetAlias=LIO Target\0TargetPortalGroupTag=1\0',
    },
    {
      requestFlags: 0x87, // T, CSG 1, NSG 3
      requestText: OPERATIONAL_REQUEST,
      // iscsi_target_handle_csg_one(): answers in list order; InitialR2T=Yes
      // is not answered (BOOL_OR with Yes: reply optional); our
      // MaxRecvDataSegmentLength is answered with its own,
      // MaxXmitDataSegmentLength's 262144 (iscsi_check_acceptor_state). It
      // proposes what we did not send: MaxConnections, DefaultTime2Wait,
      // DefaultTime2Retain, DataPDUInOrder, DataSequenceInOrder. The last two
      // (OR with Yes) and MaxConnections (keys workaround) are reply-optional;
      // DefaultTime2Wait/Retain are not, so iscsi_check_negotiated_keys()
      // fails ("No response for proposed key") and T stays 0.
      responseBhs:
        '23040000 0000010f 80123456 789a0000 00000000 00000000 3a7c9e12 00000001 00000001 00000000 00000000 00000000',
      responseText:
        'HeaderDigest=None\0DataDigest=None\0MaxConnections=1\0ImmediateData=Yes\0' +
        'MaxRecvDataSegmentLength=262144\0MaxBurstLength=262144\0FirstBurstLength=65536\0' +
        'DefaultTime2Wait=2\0DefaultTime2Retain=20\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0' +
        'DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0',
    },
    {
      requestFlags: 0x87,
      // Our answers, in the order proposed: min(1,1), max(2,2), min(20,0), OR, OR.
      requestText:
        'MaxConnections=1\0DefaultTime2Wait=2\0DefaultTime2Retain=0\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0',
      // Every proposal answered (iscsi_check_proposer_state per key), nothing
      // left to say: empty text, T, NSG 3, TSIH 1 (iscsi_target_do_login).
      responseBhs:
        '23870000 00000000 80123456 789a0001 00000000 00000000 3a7c9e13 00000001 00000001 00000000 00000000 00000000',
      responseText: '',
    },
  ],
};

/**
 * tgt 1.0.85 (Debian bookworm; usr/iscsi unchanged in what follows up to
 * 1.0.97), target created with tgtadm defaults (iscsi_target_create() in
 * usr/iscsi/target.c), no incoming account.
 *
 * Header (cmnd_exec_login() in usr/iscsi/iscsid.c): opcode 0x23; versions
 * ISCSI_DRAFT20_VERSION (0); ISID echoed; TSIH copied from conn->tsih without
 * byte swap (the request's 0, then session_create()'s first TSIH 1 in host
 * order: bytes 01 00 on x86-64); ITT echoed; StatSN conn->stat_sn++ from 0
 * (the connection is zalloc'd); ExpCmdSN our CmdSN and MaxCmdSN one more
 * (login_start()).
 */
export const TGT_1_0_85: LoginExchangeFixture = {
  target: 'tgt 1.0.85',
  targetIqn: TARGET,
  initiatorName: INITIATOR,
  steps: [
    {
      requestFlags: 0x81,
      requestText: SECURITY_REQUEST,
      // login_start() adds TargetPortalGroupTag=1, then text_scan_security()
      // answers AuthMethod; T and NSG 1 (login_security_done).
      responseBhs:
        '23810000 00000027 80123456 789a0000 00000000 00000000 00000000 00000001 00000002 00000000 00000000 00000000',
      responseText: 'TargetPortalGroupTag=1\0AuthMethod=None\0',
    },
    {
      requestFlags: 0x87,
      requestText: OPERATIONAL_REQUEST,
      // text_scan_login(): each key answered in request order with the
      // session_keys result function (param.c); MaxRecvDataSegmentLength
      // becomes the local MaxXmitDataSegmentLength and is not answered (tgt
      // never declares its own). text_check_param() proposes only keys whose
      // target value differs from the RFC default: none with tgtadm defaults.
      // So T, NSG 3, and login_finish() creates the session.
      responseBhs:
        '23870000 00000099 80123456 789a0100 00000000 00000000 00000001 00000001 00000002 00000000 00000000 00000000',
      responseText:
        'HeaderDigest=None\0DataDigest=None\0InitialR2T=Yes\0ImmediateData=Yes\0' +
        'FirstBurstLength=65536\0MaxBurstLength=262144\0MaxOutstandingR2T=1\0ErrorRecoveryLevel=0\0',
    },
  ],
};
