import t from '#cjs/io-ts';

/** Backends a user can ask for; `auto` picks the fastest one available. */
export const BackendRequest = t.keyof({ auto: null, cpu: null, wasm: null, webgpu: null, tensorflow: null }, 'BackendRequest');
export type BackendRequest = t.TypeOf<typeof BackendRequest>;

/** Backends that can actually run (`auto` resolves to one of these). */
export type ConcreteBackend = Exclude<BackendRequest, 'auto'>;
export const CONCRETE_BACKENDS: readonly ConcreteBackend[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

/** What `setupBackend` chose, and why — shown to users and recorded in results. */
export interface BackendChoice {
  requested: BackendRequest;
  backend: ConcreteBackend;
  /** tfjs's own name for the registered backend (`tensorflow` for tfjs-node). */
  tfjsName: string;
  reason: string;
  /** e.g. the GPU adapter, the tfjs-node flavour, or the wasm SIMD/threads set-up. */
  detail?: string;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: ConcreteBackend,
    reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
