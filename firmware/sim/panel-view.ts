// The two front panels as text, side by side: each LCD framed, dimmed when
// its backlight is off, and a line of what its LEDs and buzzer do.
import type { ControllerId } from '../cluster/codes.ts';
import type { PanelLook } from '../panel/hardware.ts';

const WIDTH = 20;

function leds(l: PanelLook | undefined): string {
  if (l === undefined) return '';
  const status = l.statusGreen === true ? 'green' : l.statusAmber === true ? 'amber' : 'off';
  return [
    `status ${status}`,
    `fault ${l.fault === true ? 'ON' : '-'}`,
    `id ${l.identify === true ? 'ON' : '-'}`,
    l.buzzer === true ? 'BUZZ' : '',
  ]
    .filter((w) => w !== '')
    .join(' ');
}

/** Seven lines: the frames, the LCD rows, the lights. */
export function panelView(looks: Readonly<Partial<Record<ControllerId, PanelLook>>>): string[] {
  const rows = Math.max(looks.A?.lcd.length ?? 4, looks.B?.lcd.length ?? 4);
  const cell = (c: ControllerId, i: number): string => {
    const l = looks[c];
    const text = (l?.lcd[i] ?? '').padEnd(WIDTH).slice(0, WIDTH);
    return `|${text}|`;
  };
  const top = (c: ControllerId): string => {
    const dim = looks[c]?.backlight === false ? ' dim ' : '';
    return `+${`-${c}${dim}`.padEnd(WIDTH, '-')}+`;
  };
  const bottom = `+${'-'.repeat(WIDTH)}+`;
  const gap = '   ';
  const lines = [`${top('A')}${gap}${top('B')}`];
  for (let i = 0; i < rows; i++) lines.push(`${cell('A', i)}${gap}${cell('B', i)}`);
  lines.push(`${bottom}${gap}${bottom}`);
  lines.push(`${leds(looks.A).padEnd(WIDTH + 2)}${gap}${leds(looks.B)}`);
  return lines;
}
