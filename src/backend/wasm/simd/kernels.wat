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
        (br $tail))))
  ;; tanh of four floats as Eigen's float tanh: x clamped to ±9, x·p(x²)/q(x²) (a [13/6] rational minimax
  ;; approximation), and x itself below |x| = 4·10⁻⁴. Measured against float64 tanh on a grid of 2.2·10⁶ points
  ;; over ±12 and 10⁻⁸…10: at most 3.4·10⁻⁷ relative (~3 ulp). pmin/pmax take x when it is NaN (x as the first
  ;; operand), so NaN stays NaN; ±∞ give ±1.
  (func $tanh (param $x v128) (result v128)
    (local $c v128) (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $c (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
    (local.set $x2 (f32x4.mul (local.get $c) (local.get $c)))
    (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16) (local.get $x2)) (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
    (local.set $q (f32x4.add (f32x4.mul (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06) (local.get $x2)) (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
    (v128.bitselect (local.get $x)
      (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
      (f32x4.lt (f32x4.abs (local.get $x)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))

  ;; tanh in place over count floats at ptr; the vector loop spells $tanh out (no call per vector).
  (func $tanhPass (param $ptr i32) (param $count i32)
    (local $end i32) (local $all i32) (local $x v128)
    (local $c v128) (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (local.set $all (i32.add (local.get $ptr) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $x (v128.load (local.get $ptr)))
        (local.set $c (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
        (local.set $x2 (f32x4.mul (local.get $c) (local.get $c)))
        (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16) (local.get $x2)) (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
        (local.set $q (f32x4.add (f32x4.mul (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06) (local.get $x2)) (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
        (v128.store (local.get $ptr) (v128.bitselect (local.get $x)
          (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
          (f32x4.lt (f32x4.abs (local.get $x)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $ptr) (local.get $all)))
        (f32.store (local.get $ptr) (f32x4.extract_lane 0 (call $tanh (f32x4.splat (f32.load (local.get $ptr))))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $tail))))

  ;; The coordinate policy's history window, from its h columns (each [n], byte offsets at table[0..h)): the [n, h]
  ;; matrix its product wants (rows per coordinate; tfjs would stack [h, n] and transpose it) and each row's RMS,
  ;; rms[i] = √(Σ_k c_k[i]² / h), in one pass. Four coordinates at a time; the last n mod 4 one lane at a time.
  (func (export "windowRows") (param $table i32) (param $h i32) (param $n i32) (param $out i32) (param $rms i32)
    (local $i i32) (local $k i32) (local $o i32) (local $row i32) (local $end i32) (local $at i32)
    (local $acc v128) (local $v v128) (local $H v128)
    (local.set $H (f32x4.splat (f32.convert_i32_u (local.get $h))))
    (local.set $row (i32.shl (local.get $h) (i32.const 2)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $coordinates
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $row))))
        (local.set $k (i32.const 0))
        (block $summed
          (loop $columns
            (br_if $summed (i32.ge_u (local.get $k) (local.get $h)))
            (local.set $at (i32.add (i32.load (i32.add (local.get $table) (i32.shl (local.get $k) (i32.const 2))))
              (i32.shl (local.get $i) (i32.const 2))))
            (if (i32.lt_u (local.get $i) (local.get $end))
              (then
                (local.set $v (v128.load (local.get $at)))
                (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $v)))
                (f32.store (i32.add (local.get $o) (local.get $row)) (f32x4.extract_lane 1 (local.get $v)))
                (f32.store (i32.add (local.get $o) (i32.shl (local.get $row) (i32.const 1))) (f32x4.extract_lane 2 (local.get $v)))
                (f32.store (i32.add (local.get $o) (i32.mul (local.get $row) (i32.const 3))) (f32x4.extract_lane 3 (local.get $v))))
              (else
                (local.set $v (f32x4.splat (f32.load (local.get $at))))
                (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $v)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $columns)))
        (local.set $acc (f32x4.sqrt (f32x4.div (local.get $acc) (local.get $H))))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (v128.store (i32.add (local.get $rms) (i32.shl (local.get $i) (i32.const 2))) (local.get $acc))
            (local.set $i (i32.add (local.get $i) (i32.const 4))))
          (else
            (f32.store (i32.add (local.get $rms) (i32.shl (local.get $i) (i32.const 2))) (f32x4.extract_lane 0 (local.get $acc)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (br $coordinates))))

  ;; The coordinate policy's first hidden layer after its products, for n rows of u units:
  ;; out[i, j] = tanh((pG[i, j]/(rG[i] + tiny) + pS[i, j]/(rS[i] + tiny) + t[j]) + (lG[i]·w[0, j] + lS[i]·w[1, j])),
  ;; the sum of the normalised block products, the loss term t and the two log-RMS inputs' weights w ([2, u]).
  (func (export "policyFirstLayer")
    (param $pG i32) (param $pS i32) (param $rG i32) (param $rS i32) (param $lG i32) (param $lS i32) (param $w i32) (param $t i32)
    (param $out i32) (param $n i32) (param $u i32) (param $tiny f32)
    (local $i i32) (local $j i32) (local $row i32) (local $o i32) (local $vec i32) (local $wS i32)
    (local $DG v128) (local $DS v128) (local $LG v128) (local $LS v128) (local $Z v128)
    (local.set $wS (i32.add (local.get $w) (i32.shl (local.get $u) (i32.const 2))))
    (local.set $vec (i32.shl (i32.and (local.get $u) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $DG (f32x4.splat (f32.add (f32.load (i32.add (local.get $rG) (local.get $o))) (local.get $tiny))))
        (local.set $DS (f32x4.splat (f32.add (f32.load (i32.add (local.get $rS) (local.get $o))) (local.get $tiny))))
        (local.set $LG (f32x4.splat (f32.load (i32.add (local.get $lG) (local.get $o)))))
        (local.set $LS (f32x4.splat (f32.load (i32.add (local.get $lS) (local.get $o)))))
        (local.set $row (i32.mul (local.get $o) (local.get $u)))
        (local.set $j (i32.const 0))
        (block $rowDone
          (loop $units
            (br_if $rowDone (i32.ge_u (local.get $j) (local.get $vec)))
            (local.set $o (i32.add (local.get $row) (local.get $j)))
            (local.set $Z (f32x4.add
              (f32x4.add
                (f32x4.add
                  (f32x4.div (v128.load (i32.add (local.get $pG) (local.get $o))) (local.get $DG))
                  (f32x4.div (v128.load (i32.add (local.get $pS) (local.get $o))) (local.get $DS)))
                (v128.load (i32.add (local.get $t) (local.get $j))))
              (f32x4.add
                (f32x4.mul (local.get $LG) (v128.load (i32.add (local.get $w) (local.get $j))))
                (f32x4.mul (local.get $LS) (v128.load (i32.add (local.get $wS) (local.get $j)))))))
            (v128.store (i32.add (local.get $out) (local.get $o)) (local.get $Z))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (i32.shl (local.get $u) (i32.const 2))))
            (local.set $o (i32.add (local.get $row) (local.get $j)))
            (local.set $Z (f32x4.add
              (f32x4.add
                (f32x4.add
                  (f32x4.div (f32x4.splat (f32.load (i32.add (local.get $pG) (local.get $o)))) (local.get $DG))
                  (f32x4.div (f32x4.splat (f32.load (i32.add (local.get $pS) (local.get $o)))) (local.get $DS)))
                (f32x4.splat (f32.load (i32.add (local.get $t) (local.get $j)))))
              (f32x4.add
                (f32x4.mul (local.get $LG) (f32x4.splat (f32.load (i32.add (local.get $w) (local.get $j)))))
                (f32x4.mul (local.get $LS) (f32x4.splat (f32.load (i32.add (local.get $wS) (local.get $j))))))))
            (f32.store (i32.add (local.get $out) (local.get $o)) (f32x4.extract_lane 0 (local.get $Z)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        ;; The row is still in cache: its tanh now.
        (call $tanhPass (i32.add (local.get $out) (local.get $row)) (local.get $u))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; A later hidden layer after its product: out[i, j] = tanh(x[i, j] + b[j]) for n rows of u units.
  (func (export "biasTanh") (param $x i32) (param $b i32) (param $out i32) (param $n i32) (param $u i32)
    (local $i i32) (local $j i32) (local $row i32) (local $o i32) (local $vec i32) (local $all i32)
    (local.set $vec (i32.shl (i32.and (local.get $u) (i32.const -4)) (i32.const 2)))
    (local.set $all (i32.shl (local.get $u) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $u)))
        (local.set $j (i32.const 0))
        (block $rowDone
          (loop $units
            (br_if $rowDone (i32.ge_u (local.get $j) (local.get $vec)))
            (local.set $o (i32.add (local.get $row) (local.get $j)))
            (v128.store (i32.add (local.get $out) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $x) (local.get $o))) (v128.load (i32.add (local.get $b) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $all)))
            (local.set $o (i32.add (local.get $row) (local.get $j)))
            (f32.store (i32.add (local.get $out) (local.get $o))
              (f32.add (f32.load (i32.add (local.get $x) (local.get $o))) (f32.load (i32.add (local.get $b) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (call $tanhPass (i32.add (local.get $out) (local.get $row)) (local.get $u))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
