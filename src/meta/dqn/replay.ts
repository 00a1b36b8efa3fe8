/**
 * Experience replay (Mnih et al. 2015): a ring buffer of transitions in plain
 * Float32Arrays. When full, a new transition overwrites the oldest; sampling is
 * uniform over the filled slots, with replacement, from a caller-seeded generator
 * (so a meta-training run is reproducible from its seed).
 */

export interface Transition {
  state: ArrayLike<number>;
  action: number;
  reward: number;
  next: ArrayLike<number>;
  done: boolean;
}

/** A minibatch, laid out for tensors: states and nexts are [batch · F], row-major. */
export interface ReplayBatch {
  size: number;
  featureCount: number;
  states: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  nexts: Float32Array;
  dones: Float32Array;
  /** The slots drawn (for tests). */
  slots: number[];
}

export class ReplayBuffer {
  private readonly states: Float32Array;
  private readonly nexts: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Float32Array;
  /** Transitions pushed since creation (the next slot is pushed % capacity). */
  private pushed = 0;

  constructor(
    readonly capacity: number,
    readonly featureCount: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`replay capacity must be a positive integer, got ${capacity}`);
    this.states = new Float32Array(capacity * featureCount);
    this.nexts = new Float32Array(capacity * featureCount);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.dones = new Float32Array(capacity);
  }

  /** Filled slots. */
  get size(): number {
    return Math.min(this.pushed, this.capacity);
  }

  push(transition: Transition): void {
    const f = this.featureCount;
    if (transition.state.length !== f || transition.next.length !== f) {
      throw new Error(`a transition needs ${f} features per state, got ${transition.state.length} and ${transition.next.length}`);
    }
    const slot = this.pushed % this.capacity;
    this.states.set(transition.state, slot * f);
    this.nexts.set(transition.next, slot * f);
    this.actions[slot] = transition.action;
    this.rewards[slot] = transition.reward;
    this.dones[slot] = transition.done ? 1 : 0;
    this.pushed++;
  }

  /** The transition in `slot`. */
  at(slot: number): Transition {
    if (!(slot >= 0 && slot < this.size)) throw new Error(`replay slot ${slot} is not filled (size ${this.size})`);
    const f = this.featureCount;
    return {
      state: this.states.slice(slot * f, (slot + 1) * f),
      action: this.actions[slot]!,
      reward: this.rewards[slot]!,
      next: this.nexts.slice(slot * f, (slot + 1) * f),
      done: this.dones[slot] === 1,
    };
  }

  /** `batchSize` transitions drawn uniformly (with replacement) from the filled slots. */
  sample(batchSize: number, random: () => number): ReplayBatch {
    if (this.size === 0) throw new Error('cannot sample an empty replay buffer');
    const f = this.featureCount;
    const batch: ReplayBatch = {
      size: batchSize,
      featureCount: f,
      states: new Float32Array(batchSize * f),
      actions: new Int32Array(batchSize),
      rewards: new Float32Array(batchSize),
      nexts: new Float32Array(batchSize * f),
      dones: new Float32Array(batchSize),
      slots: [],
    };
    for (let i = 0; i < batchSize; i++) {
      const slot = Math.min(this.size - 1, Math.floor(random() * this.size));
      batch.slots.push(slot);
      batch.states.set(this.states.subarray(slot * f, (slot + 1) * f), i * f);
      batch.nexts.set(this.nexts.subarray(slot * f, (slot + 1) * f), i * f);
      batch.actions[i] = this.actions[slot]!;
      batch.rewards[i] = this.rewards[slot]!;
      batch.dones[i] = this.dones[slot]!;
    }
    return batch;
  }
}
