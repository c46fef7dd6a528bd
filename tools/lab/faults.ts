// Link faults: cut sets the far veth end down so the controller's carrier
// really drops; heal sets it up again. Serial cuts go through the proxy.
import { setLink, waitVethForwarding } from './netns.ts';
import { setSerialMode } from './serial.ts';
import { CUT_ENDS, type Cuttable } from './topology.ts';

export async function cut(link: Cuttable): Promise<void> {
  if (link === 'serial') {
    await setSerialMode({ kind: 'drop' });
    return;
  }
  for (const end of CUT_ENDS[link]) await setLink(end, 'down');
}

export async function heal(link: Cuttable): Promise<void> {
  if (link === 'serial') {
    await setSerialMode({ kind: 'pass' });
    return;
  }
  for (const end of CUT_ENDS[link]) await setLink(end, 'up');
  // `heal` returns only once traffic can flow again, so that a test (or an
  // operator) never mistakes a link still coming up for one that is broken.
  for (const end of CUT_ENDS[link]) await waitVethForwarding(end);
}
