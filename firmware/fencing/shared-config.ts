// The part of the configuration the shared disk session reads: /cluster/disk
// and the heartbeat deadtime. A structural type, so TandemConfig fits it while
// fencing does not import firmware/config (whose schema imports resources,
// which import fencing: a folder cycle).
export interface SharedDiskConfig {
  readonly cluster: {
    readonly heartbeat: { readonly deadtimeMs: number };
    readonly disk: {
      readonly transport: 'iscsi' | 'sg';
      readonly portal: { readonly host: string; readonly port: number };
      readonly targetIqn: string;
      readonly initiatorName: string;
      readonly lun: number;
      /** The sg node; unset: the HAL default. */
      readonly sgDevice?: string;
    };
  };
}
