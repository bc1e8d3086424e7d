/** Consensus settings and replica counts, by CVAT's rules. */
import { describe, expect, it } from 'vitest';
import {
  consensusReplicasProblem,
  consensusSettings,
  consensusSettingsProblems,
  DEFAULT_CONSENSUS_SETTINGS,
  requiredVotes,
} from '../../src/consensus/settings.js';

describe('consensus settings', () => {
  it("has CVAT's defaults: quorum 0.5, iou_threshold 0.4", () => {
    expect(DEFAULT_CONSENSUS_SETTINGS).toEqual({ quorum: 0.5, iou_threshold: 0.4 });
    expect(consensusSettings({ quorum: 0.7 })).toEqual({ quorum: 0.7, iou_threshold: 0.4 });
  });

  it('needs the quorum share of the replicas, rounded up', () => {
    expect(requiredVotes(0.5, 3)).toBe(2);
    expect(requiredVotes(0.5, 4)).toBe(2);
    expect(requiredVotes(0.7, 5)).toBe(4);
    // 0.6 x 5 is 3.0000000000000004 in floating point; three votes are 60%.
    expect(requiredVotes(0.6, 5)).toBe(3);
    expect(requiredVotes(0, 3)).toBe(0);
    expect(requiredVotes(1, 3)).toBe(3);
  });

  it('takes shares in [0, 1] only', () => {
    expect(consensusSettingsProblems({ quorum: 0.3, iou_threshold: 1 })).toEqual([]);
    expect(consensusSettingsProblems({ quorum: 1.5, iou_threshold: '0.5' })).toEqual([
      { path: 'quorum', message: 'must be a number in [0, 1]' },
      { path: 'iou_threshold', message: 'must be a number in [0, 1]' },
    ]);
  });

  it('allows 0 replicas (no consensus) or 2 to 11', () => {
    expect([0, 2, 3, 11].map(consensusReplicasProblem)).toEqual([null, null, null, null]);
    expect(consensusReplicasProblem(1)).toMatch(/at least 2/);
    expect(consensusReplicasProblem(12)).toMatch(/from 2 to 11/);
    expect(consensusReplicasProblem(2.5)).toMatch(/integer/);
  });
});
