;; AlphaOpt's own SIMD kernels for the wasm backend. They run on tfjs-backend-wasm's memory (imported), reading
;; and writing tensors at the byte offsets the backend gives them, so a fused pass costs one call and no copies.
;; Each loop does four floats per step (f32x4) and finishes the last n mod 4 with the same float32 operations in
;; the same order, so results do not depend on where a tensor's tail falls.
;; Compiled into kernels.wasm.ts by `npx tsx scripts/build-simd-kernels.ts` (test/simd-kernels.test.ts checks
;; the two agree).
(module
  (import "env" "memory" (memory 0))

  ;; Adam, one pass: m' = m·b1 + g·k1, v' = v·b2 + (g·g)·k2, u = ((m'/c1) / (√(v'/c2) + eps))·scale — the same
  ;; float32 operations, in the same order, as rules.adam's tensor ops (scale = −learning rate).
  (func (export "adam")
    (param $g i32) (param $m i32) (param $v i32) (param $mo i32) (param $vo i32) (param $u i32) (param $n i32)
    (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32) (param $c1 f32) (param $c2 f32) (param $eps f32) (param $scale f32)
    (local $i i32) (local $end i32) (local $all i32)
    (local $B1 v128) (local $K1 v128) (local $B2 v128) (local $K2 v128) (local $C1 v128) (local $C2 v128) (local $E v128) (local $S v128)
    (local $G v128) (local $M v128) (local $V v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $K1 (f32x4.splat (local.get $k1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $K2 (f32x4.splat (local.get $k2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $S (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $all (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $G (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $M (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
          (f32x4.mul (local.get $G) (local.get $K1))))
        (local.set $V (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $K2))))
        (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $M))
        (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $V))
        (v128.store (i32.add (local.get $u) (local.get $i))
          (f32x4.mul
            (f32x4.div
              (f32x4.div (local.get $M) (local.get $C1))
              (f32x4.add (f32x4.sqrt (f32x4.div (local.get $V) (local.get $C2))) (local.get $E)))
            (local.get $S)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $all)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms (f32.add
          (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
          (f32.mul (local.get $gs) (local.get $k1))))
        (local.set $vs (f32.add
          (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $k2))))
        (f32.store (i32.add (local.get $mo) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $u) (local.get $i))
          (f32.mul
            (f32.div
              (f32.div (local.get $ms) (local.get $c1))
              (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps)))
            (local.get $scale)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))))
