/**
 * Agreement between the annotators of a parent job's replicas, reported with each merge (a
 * Framewise extension; CVAT reports none). Two measures:
 *
 * - pairwise, for every two replicas: their objects matched as the merge matches them; the
 *   agreement is the share of all their objects that are matched with the same label,
 *   matched / (matched + mismatched labels + unmatched of either), the accuracy quality reports
 *   compute against a ground truth, with neither side taken as the truth;
 * - against the merged result, per replica: of its objects, the share the merge kept with its
 *   label (precision), and of the merged objects, the share it voted for (recall).
 *
 * Objects are counted per frame, shapes and tags alike; a track counts on every frame it shows.
 */

export interface PairAgreement {
  /** The two replicas' job ids, in replica order. */
  job_ids: [number, number];
  /** Matched objects with the same label. */
  matched_count: number;
  /** Matched objects (same place) with different labels. */
  mismatched_count: number;
  /** Objects of either replica without a partner in the other. */
  unmatched_count: number;
  /** matched / (matched + mismatched + unmatched); null when neither has an object. */
  agreement: number | null;
  /** Mean similarity (IoU, OKS, ...) of the shapes matched with the same label; null without any. */
  mean_similarity: number | null;
}

export interface ReplicaAgreement {
  job_id: number;
  /** Its objects on the parent job's frames. */
  annotation_count: number;
  /** Merged objects it voted for (it had the object, with the winning label). */
  agreed_count: number;
  /** agreed / its objects; null when it has none. */
  precision: number | null;
  /** agreed / merged objects; null when nothing was merged. */
  recall: number | null;
  /** Mean of its pairwise agreements (those not null); null when there are none. */
  mean_agreement: number | null;
}

export interface JobAgreement {
  parent_job_id: number;
  /** Replicas merged (the denominator of every score). */
  replica_count: number;
  /** Votes an object needed: ceil(quorum x replicas). */
  required_votes: number;
  frame_count: number;
  /** Objects written to the parent job. */
  merged_count: number;
  /** Clusters left out for want of votes. */
  dropped_count: number;
  /** Mean score (votes / replicas) of the merged objects; null when none. */
  mean_score: number | null;
  /** Mean of the pairwise agreements (those not null); null when there are none. */
  agreement: number | null;
  replicas: ReplicaAgreement[];
  pairs: PairAgreement[];
}

interface PairTally {
  matched: number;
  mismatched: number;
  unmatched: number;
  similarity: number;
  shapes: number;
}

/** Counts gathered frame by frame, then summed up by `report`. */
export class AgreementTally {
  private readonly pairs: PairTally[][];
  private readonly objects: number[];
  private readonly agreed: number[];
  private merged = 0;
  private dropped = 0;
  private scores = 0;

  constructor(private readonly jobIds: readonly number[]) {
    const n = jobIds.length;
    this.pairs = Array.from({ length: n }, () => Array.from({ length: n }, () => ({ matched: 0, mismatched: 0, unmatched: 0, similarity: 0, shapes: 0 })));
    this.objects = new Array<number>(n).fill(0);
    this.agreed = new Array<number>(n).fill(0);
  }

  objectsOf(replica: number, count: number): void {
    this.objects[replica]! += count;
  }

  /** A pair of replicas i < j matched two objects; `shape` says whether the similarity counts (not tags). */
  matched(i: number, j: number, sameLabel: boolean, similarity: number, shape: boolean): void {
    const t = this.pairs[i]![j]!;
    if (!sameLabel) {
      t.mismatched++;
      return;
    }
    t.matched++;
    if (shape) {
      t.similarity += similarity;
      t.shapes++;
    }
  }

  unmatched(i: number, j: number, count: number): void {
    this.pairs[i]![j]!.unmatched += count;
  }

  /** A merged object, with the replicas that voted for it. */
  kept(voters: readonly number[], score: number): void {
    this.merged++;
    this.scores += score;
    for (const r of voters) this.agreed[r]!++;
  }

  drop(): void {
    this.dropped++;
  }

  report(parentJobId: number, requiredVotes: number, frameCount: number): JobAgreement {
    const n = this.jobIds.length;
    const pairs: PairAgreement[] = [];
    const perReplica: number[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const t = this.pairs[i]![j]!;
        const total = t.matched + t.mismatched + t.unmatched;
        const agreement = total ? t.matched / total : null;
        if (agreement !== null) {
          perReplica[i]!.push(agreement);
          perReplica[j]!.push(agreement);
        }
        pairs.push({
          job_ids: [this.jobIds[i]!, this.jobIds[j]!],
          matched_count: t.matched,
          mismatched_count: t.mismatched,
          unmatched_count: t.unmatched,
          agreement,
          mean_similarity: t.shapes ? t.similarity / t.shapes : null,
        });
      }
    }
    return {
      parent_job_id: parentJobId,
      replica_count: n,
      required_votes: requiredVotes,
      frame_count: frameCount,
      merged_count: this.merged,
      dropped_count: this.dropped,
      mean_score: this.merged ? this.scores / this.merged : null,
      agreement: meanOrNull(pairs.flatMap((p) => (p.agreement === null ? [] : [p.agreement]))),
      replicas: this.jobIds.map((job_id, r) => ({
        job_id,
        annotation_count: this.objects[r]!,
        agreed_count: this.agreed[r]!,
        precision: this.objects[r] ? this.agreed[r]! / this.objects[r]! : null,
        recall: this.merged ? this.agreed[r]! / this.merged : null,
        mean_agreement: meanOrNull(perReplica[r]!),
      })),
      pairs,
    };
  }
}

function meanOrNull(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}
