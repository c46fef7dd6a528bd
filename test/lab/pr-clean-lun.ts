// Lab tests share one LUN, and daemons that ran before leave their
// registrations and reservation on it (as a real controller would). A test
// that counts keys starts by clearing them: one long-lived session registers
// a throwaway key and CLEARs, which removes every registration and the
// reservation (SPC-4 CLEAR; tgt follows it).
import { expect } from 'vitest';
import { AgentClient } from '../../tools/pr/agent-client.ts';
import { ADDR, ISCSI_PORT, NETNS, TARGET_IQN, TARGET_LUN } from '../../tools/lab/topology.ts';

export async function clearLun(): Promise<void> {
  const agent = new AgentClient(NETNS.A);
  try {
    await agent.ok('connect', {
      host: ADDR.enclSasA,
      port: ISCSI_PORT,
      target: TARGET_IQN,
      lun: TARGET_LUN,
      initiator: 'iqn.2026-11.invalid.tandem:pr-cleanup',
    });
    await agent.ok('registerIgnore', { key: '0x7e57' });
    await agent.ok('clear', { key: '0x7e57' });
    expect(await agent.ok('readKeys')).toMatchObject({ keys: [] });
  } finally {
    await agent.close();
  }
}
