/**
 * Names of AlphaOpt's fused kernels. A backend that registers one runs the fused pass; elsewhere (or while a
 * gradient tape records) the rules compute the same thing with ordinary tfjs ops.
 */

/**
 * One Adam step per tensor: inputs { grad, mu, nu }; attrs { beta1, beta2, epsilon, c1, c2, scale } (c1, c2 the
 * bias corrections, scale = −learning rate); outputs [mu′, nu′, update].
 */
export const FUSED_ADAM_KERNEL = 'AlphaOptFusedAdam';
