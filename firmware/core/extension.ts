// A part of the daemon with a lifecycle (telemetry, console, panel, web...),
// after zigbee2mqtt's extensions: the daemon starts them in order and stops
// them in reverse, and one failing to start is an alarm, not a crash.

export interface Extension {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
