// The lab's fixed topology. Other code (firmware configs, lab tests, bench)
// relies on these exact names and addresses, so they live in one place.
// Addresses are all inside 198.18.0.0/15 (RFC 2544 benchmarking space) and only
// ever exist inside namespaces the lab creates.

export const NODES = ['A', 'B', 'encl', 'client', 'noc', 'lan'] as const;
export type NodeName = (typeof NODES)[number];

export const CONTROLLERS = ['A', 'B'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export function isNodeName(s: string): s is NodeName {
  return (NODES as readonly string[]).includes(s);
}
export function isController(s: string): s is Controller {
  return (CONTROLLERS as readonly string[]).includes(s);
}

/** Network namespace of each node. */
export const NETNS: Readonly<Record<NodeName, string>> = {
  A: 'tdm-a',
  B: 'tdm-b',
  encl: 'tdm-encl',
  client: 'tdm-client',
  noc: 'tdm-noc',
  lan: 'tdm-lan',
};

export const LAN_BRIDGE = 'br0';

export const ADDR = {
  privA: '198.18.1.1',
  privB: '198.18.1.2',
  lanA: '198.18.2.11',
  lanB: '198.18.2.12',
  /** Reserved for the service's floating IP: the lab never assigns it. */
  lanVip: '198.18.2.10',
  lanClient: '198.18.2.100',
  lanNoc: '198.18.2.200',
  sasA: '198.18.3.2',
  enclSasA: '198.18.3.1',
  sasB: '198.18.3.6',
  enclSasB: '198.18.3.5',
} as const;

/** One veth pair: [node, ifname, cidr or null] for each end. */
export interface VethEnd {
  readonly node: NodeName;
  readonly ifname: string;
  readonly cidr: string | null;
}
export interface Veth {
  readonly a: VethEnd;
  readonly b: VethEnd;
}

export const VETHS: readonly Veth[] = [
  {
    a: { node: 'A', ifname: 'priv0', cidr: `${ADDR.privA}/24` },
    b: { node: 'B', ifname: 'priv0', cidr: `${ADDR.privB}/24` },
  },
  {
    a: { node: 'A', ifname: 'lan0', cidr: `${ADDR.lanA}/24` },
    b: { node: 'lan', ifname: 'a-lan', cidr: null },
  },
  {
    a: { node: 'B', ifname: 'lan0', cidr: `${ADDR.lanB}/24` },
    b: { node: 'lan', ifname: 'b-lan', cidr: null },
  },
  {
    a: { node: 'client', ifname: 'lan0', cidr: `${ADDR.lanClient}/24` },
    b: { node: 'lan', ifname: 'client-lan', cidr: null },
  },
  {
    a: { node: 'noc', ifname: 'lan0', cidr: `${ADDR.lanNoc}/24` },
    b: { node: 'lan', ifname: 'noc-lan', cidr: null },
  },
  {
    a: { node: 'A', ifname: 'sas0', cidr: `${ADDR.sasA}/30` },
    b: { node: 'encl', ifname: 'sas-a', cidr: `${ADDR.enclSasA}/30` },
  },
  {
    a: { node: 'B', ifname: 'sas0', cidr: `${ADDR.sasB}/30` },
    b: { node: 'encl', ifname: 'sas-b', cidr: `${ADDR.enclSasB}/30` },
  },
];

/**
 * Links that fault verbs cut. Each lists the interface ends that are set down:
 * the far end where there is one, so the controller sees its carrier drop as
 * when a cable is pulled; both ends of the private crossover link.
 */
export const CUTTABLE = ['private', 'serial', 'sas-a', 'sas-b', 'lan-a', 'lan-b'] as const;
export type Cuttable = (typeof CUTTABLE)[number];
export function isCuttable(s: string): s is Cuttable {
  return (CUTTABLE as readonly string[]).includes(s);
}
export const CUT_ENDS: Readonly<Record<Exclude<Cuttable, 'serial'>, readonly VethEnd[]>> = {
  private: [
    { node: 'A', ifname: 'priv0', cidr: null },
    { node: 'B', ifname: 'priv0', cidr: null },
  ],
  'sas-a': [{ node: 'encl', ifname: 'sas-a', cidr: null }],
  'sas-b': [{ node: 'encl', ifname: 'sas-b', cidr: null }],
  'lan-a': [{ node: 'lan', ifname: 'a-lan', cidr: null }],
  'lan-b': [{ node: 'lan', ifname: 'b-lan', cidr: null }],
};

export const ISCSI_PORT = 3260;
export const TARGET_IQN = 'iqn.2026-11.invalid.tandem:encl';
export const TARGET_TID = 1;
export const TARGET_LUN = 1;
/** tgtd control port: our own, so the lab never talks to another tgtd. */
export const TGT_CONTROL_PORT = 17;
/** The portal each controller logs in to, over its own SAS path. */
export const PORTAL: Readonly<Record<Controller, string>> = {
  A: `${ADDR.enclSasA}:${ISCSI_PORT}`,
  B: `${ADDR.enclSasB}:${ISCSI_PORT}`,
};
export const LUN_SIZE_BYTES = 64 * 1024 * 1024;
export const DATA_VOLUME_SIZE_BYTES = 256 * 1024 * 1024;

export const MQTT_HOST = ADDR.lanNoc;
export const MQTT_PORT = 1883;
export const POSTGRES_PORT = 5432;
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export const WATCHDOG_DEFAULT_TIMEOUT_S = 5;

/** Lower-case letter used in file names: firmware-a.pid, ttyA uses the upper. */
export function lc(c: Controller): 'a' | 'b' {
  return c === 'A' ? 'a' : 'b';
}
