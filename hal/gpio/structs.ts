// The GPIO v2 uAPI structs declared to koffi, which lays them out with the
// platform C ABI. They are the second witness (beside the C headers) for the
// offsets in uapi.ts; see assertGpioLayouts().
import type { TypeObject } from 'koffi';
import { assertLayouts } from '../ioctl/layout.ts';
import type { StructClaim } from '../ioctl/layout.ts';
import { koffiModule } from '../ioctl/libc.ts';
import { GPIO_MAX_NAME_SIZE, GPIO_STRUCTS, GPIO_V2_LINE_NUM_ATTRS_MAX, GPIO_V2_LINES_MAX } from './uapi.ts';

let cached: [string, TypeObject, StructClaim][] | undefined;

export function gpioKoffiStructs(): [string, TypeObject, StructClaim][] {
  if (cached !== undefined) return cached;
  const k = koffiModule();
  const chipinfo = k.struct({
    name: k.array('char', GPIO_MAX_NAME_SIZE),
    label: k.array('char', GPIO_MAX_NAME_SIZE),
    lines: 'uint32',
  });
  const attribute = k.struct({
    id: 'uint32',
    padding: 'uint32',
    // An anonymous union of flags/values (u64) and debounce_period_us (u32).
    values: k.union({ flags: 'uint64', values: 'uint64', debounce_period_us: 'uint32' }),
  });
  const configAttribute = k.struct({ attr: attribute, mask: 'uint64' });
  const config = k.struct({
    flags: 'uint64',
    num_attrs: 'uint32',
    padding: k.array('uint32', 5),
    attrs: k.array(configAttribute, GPIO_V2_LINE_NUM_ATTRS_MAX),
  });
  const request = k.struct({
    offsets: k.array('uint32', GPIO_V2_LINES_MAX),
    consumer: k.array('char', GPIO_MAX_NAME_SIZE),
    config,
    num_lines: 'uint32',
    event_buffer_size: 'uint32',
    padding: k.array('uint32', 5),
    fd: 'int32',
  });
  const values = k.struct({ bits: 'uint64', mask: 'uint64' });
  const event = k.struct({
    timestamp_ns: 'uint64',
    id: 'uint32',
    offset: 'uint32',
    seqno: 'uint32',
    line_seqno: 'uint32',
    padding: k.array('uint32', 6),
  });
  const S = GPIO_STRUCTS;
  cached = [
    ['gpiochip_info', chipinfo, S.gpiochip_info],
    ['gpio_v2_line_attribute', attribute, S.gpio_v2_line_attribute],
    ['gpio_v2_line_config_attribute', configAttribute, S.gpio_v2_line_config_attribute],
    ['gpio_v2_line_config', config, S.gpio_v2_line_config],
    ['gpio_v2_line_request', request, S.gpio_v2_line_request],
    ['gpio_v2_line_values', values, S.gpio_v2_line_values],
    ['gpio_v2_line_event', event, S.gpio_v2_line_event],
  ];
  return cached;
}

export function assertGpioLayouts(device: string): void {
  assertLayouts(device, gpioKoffiStructs());
}
