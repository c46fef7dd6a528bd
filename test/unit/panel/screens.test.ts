// Golden frames of every panel screen, at 20x4 and 16x2, from one fixed
// status (fixture.ts): the text an operator reads, cell for cell.
import { describe, expect, it } from 'vitest';
import { LCD_16X2, LCD_20X4 } from '../../../hal/lcd/lcd.ts';
import { PanelModel } from '../../../firmware/panel/model.ts';
import { ALARM_MQTT, ALARM_PATH, status } from './fixture.ts';

/** A model on the fixture with the path alarm already acknowledged (so no alert shows). */
function onInfo() {
  const m = new PanelModel(0);
  m.update(
    status({
      alarms: [{ ...ALARM_PATH, acknowledgedAt: 5 }, ALARM_MQTT],
      host: {
        addresses: [
          { iface: 'lan0', address: '198.18.2.11' },
          { iface: 'priv0', address: '198.18.1.1' },
        ],
        uptimeS: 3 * 86_400 + 4 * 3600 + 12 * 60 + 59,
      },
    }),
    0,
  );
  return m;
}

const GOLDEN: Record<string, { wide: string[]; narrow: string[] }> = {
  summary: {
    wide: ['box-7          ctl A', 'A* active           ', 'B  standby     alive', 'pg:A web:B          '],
    narrow: ['A*active box-7  ', 'B:alive   pg:A w'],
  },
  paths: {
    wide: ['Paths to B: alive   ', 'serial:up  net:up   ', 'lan:late   disk:down', '                    '],
    narrow: ['Path S  N  L  D ', 'to B up up lt dn'],
  },
  'alarm 1/2': {
    wide: ['Alarm 1/2      error', 'HB_PATH_DOWN        ', 'Heartbeat path seria', 'acknowledged        '],
    narrow: ['1/2 HB_PATH_DOWN', 'Heartbeat path s'],
  },
  'alarm 2/2': {
    wide: ['Alarm 2/2    warning', 'MQTT_DOWN           ', 'MQTT broker unreacha', 'Enter: acknowledge  '],
    narrow: ['2/2    MQTT_DOWN', 'MQTT broker unre'],
  },
  takeover: {
    wide: ['Last takeover by A  ', '2026-12-01 14:03 UTC', 'peer B dead on all p', '                    '],
    narrow: ['Takeover A 2026-', 'peer B dead on a'],
  },
  network: {
    wide: ['Network ctl A       ', 'lan0 198.18.2.11    ', 'priv0 198.18.1.1    ', '                    '],
    narrow: ['Net ctl A       ', 'lan0 198.18.2.11'],
  },
  web: {
    wide: ['Web panel           ', 'https://198.18.2.11 ', 'Enter: first sign-in', 'password (admin)    '],
    narrow: ['Web panel       ', 'https://198.18.2'],
  },
  version: {
    wide: ['Firmware up 3d 04:12', 'Tandem 0.1.0        ', 'box box-7           ', 'ctl A config v12    '],
    narrow: ['Tandem 0.1.0 3d ', 'box-7 A cfg v12 '],
  },
};

describe('panel screens (golden frames)', () => {
  it('Down walks summary, paths, one page per alarm, takeover, network, web, version and wraps to the summary', () => {
    const m = onInfo();
    const seen: string[] = [];
    for (const name of Object.keys(GOLDEN)) {
      const g = GOLDEN[name]!;
      seen.push(m.screen());
      expect(m.frame(LCD_20X4).lines(), `${name} 20x4`).toEqual(g.wide);
      expect(m.frame(LCD_16X2).lines(), `${name} 16x2`).toEqual(g.narrow);
      m.key('down', 0);
    }
    expect(seen).toEqual(['summary', 'paths', 'alarms', 'alarms', 'takeover', 'network', 'web', 'version']);
    expect(m.screen()).toBe('summary');
    m.key('up', 0);
    expect(m.screen()).toBe('version');
  });

  it('the alert screen: severity and code, message, remedy from the catalogue, what Enter does', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_PATH] }), 0); // no remedy in the input: looked up by code
    expect(m.screen()).toBe('alert');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      '! ERROR HB_PATH_DOWN',
      'Heartbeat path seria',
      'Check the cable and ',
      'Enter: acknowledge  ',
    ]);
    expect(m.frame(LCD_16X2).lines()).toEqual(['! ERROR HB_PATH_', 'Heartbeat path s']);
  });

  it('long lines scroll with time (hal/lcd scrollWindow: a pause, then one cell per step)', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_PATH] }), 0);
    m.tick(500 * 5); // tick 5: 2 ticks of pause, then 3 cells on
    expect(m.frame(LCD_20X4).lines()[1]).toBe('rtbeat path serial t');
    expect(m.frame(LCD_20X4).lines()[3]).toBe('Enter: acknowledge  '); // fits: stays
  });

  it('Enter on the web screen asks for the initial password; it shows for a minute, and until the screen is left', () => {
    const m = onInfo();
    while (m.screen() !== 'web') m.key('down', 0);
    expect(m.key('enter', 0)).toEqual([{ kind: 'sign-in-code' }]);
    m.showCode('ABCD-EFGH-IJKL-MNOP', 100);
    expect(m.frame(LCD_20X4).lines().slice(0, 2)).toEqual(['Web sign-in: admin  ', 'ABCD-EFGH-IJKL-MNOP ']);
    expect(m.frame(LCD_16X2).lines()).toEqual(['admin password  ', 'ABCD-EFGH-IJKL-M']);
    m.key('mute', 50_000); // a key, so the idle timeout does not take the screen away first
    m.tick(100 + 59_000);
    expect(m.frame(LCD_20X4).lines()[1]).toBe('ABCD-EFGH-IJKL-MNOP ');
    m.tick(100 + 60_000);
    expect(m.frame(LCD_20X4).lines()[0]).toBe('Web panel           ');
    m.showCode('ABCD-EFGH-IJKL-MNOP', 60_200);
    m.key('down', 60_300);
    m.key('up', 60_400);
    expect(m.frame(LCD_20X4).lines()[0]).toBe('Web panel           ');
  });

  it('before any status the panel says it waits', () => {
    expect(new PanelModel(0).frame(LCD_16X2).lines()).toEqual(['Tandem          ', 'waiting for stat']);
  });

  it('no control character reaches a frame (hal/lcd maps them to ?)', () => {
    const m = new PanelModel(0);
    const hostile = { ...ALARM_PATH, subject: 'x\x07', message: 'bad\n\x1b[31mred\x00\x7f\u0085' };
    m.update(status({ boxId: 'b\tx', alarms: [hostile] }), 0);
    for (let t = 0; t < 30_000; t += 500) {
      m.tick(t);
      for (const size of [LCD_20X4, LCD_16X2]) {
        // Below 0x20 are control codes; 0x00..0x07 would even select custom glyphs.
        expect(Math.min(...m.frame(size).cells)).toBeGreaterThanOrEqual(0x20);
      }
    }
    expect(m.frame(LCD_20X4).lines()[1]).toMatch(/^bad\?\?\[31mred\?\?\?/);
  });
});

describe('mute and locate on the summary', () => {
  it('are shown when on, as on every surface', () => {
    const m = new PanelModel(0);
    m.update(status({ muted: true, locate: true }), 0);
    expect(m.frame(LCD_20X4).lines()[1]).toBe('A* active  muted loc');
    expect(m.frame(LCD_16X2).lines()[0]).toBe('A*active muted l');
    m.update(status({ muted: false, locate: false }), 10);
    expect(m.frame(LCD_20X4).lines()[1]).toBe('A* active           ');
  });
});
