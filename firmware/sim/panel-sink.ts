// Where `npm start` draws the two front panels. On a terminal they stay at
// the top (the lines below them scroll within a region of their own), and
// are redrawn in place at every change. Anywhere else (a pipe, a test) the
// view is printed as lines when it changed, at most once a second, so a
// scrolling LCD line does not flood a log.
export interface Terminal {
  write(text: string): void;
  readonly rows: number;
}

const ESC = '\x1b[';

export function panelSink(
  out: (text: string) => void,
  terminal: Terminal | undefined,
): { draw: (lines: string[]) => void; close: () => void } {
  if (terminal !== undefined && terminal.rows >= 16) {
    const height = 8; // the view's 7 lines and a blank one
    terminal.write(`${ESC}2J${ESC}${height + 1};${terminal.rows}r${ESC}${height + 1};1H`);
    return {
      draw: (lines) => terminal.write(`\x1b7${ESC}1;1H${lines.map((l) => `${ESC}2K${l}`).join('\n')}\x1b8`),
      close: () => terminal.write(`${ESC}r${ESC}${terminal.rows};1H\n`),
    };
  }
  let last = '';
  let pending: string[] | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    if (pending === null) return;
    const text = pending.join('\n');
    pending = null;
    if (text === last) return;
    last = text;
    out(text);
    timer = setTimeout(flush, 1000);
  };
  return {
    draw: (lines) => {
      pending = lines;
      if (timer === null) flush();
    },
    close: () => {
      if (timer !== null) clearTimeout(timer);
    },
  };
}
