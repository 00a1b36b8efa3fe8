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
        (br $rows))))

  ;; Batch norm (batchNormKernels.ts) over x [rows, c], channels last, as a few passes.
  ;; Per-channel sums in float64, which holds a product of two float32 exactly, so the variance Σx²/rows − mean²
  ;; keeps far more than float32's precision: sums[0..c) += Σx, sums[c..2c) += Σx². The rows go in chunks of about
  ;; 8 KiB, each swept once per group of four channels with the sums in registers (the chunk stays in cache);
  ;; channels past the last group of four one at a time.
  (func (export "channelSums") (param $x i32) (param $rows i32) (param $c i32) (param $sums i32)
    (local $stride i32) (local $vec i32) (local $chunk i32) (local $base i32) (local $last i32) (local $end i32)
    (local $g i32) (local $p i32) (local $at i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $S0 v128) (local $S1 v128) (local $Q0 v128) (local $Q1 v128)
    (local $e f64) (local $s f64) (local $q f64)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $chunk (i32.div_u (i32.const 2048) (local.get $c)))
    (if (i32.eqz (local.get $chunk)) (then (local.set $chunk (i32.const 1))))
    (local.set $chunk (i32.mul (local.get $chunk) (local.get $stride)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (local.set $base (local.get $x))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $base) (local.get $end)))
        (local.set $last (i32.add (local.get $base) (local.get $chunk)))
        (if (i32.gt_u (local.get $last) (local.get $end)) (then (local.set $last (local.get $end))))
        (local.set $g (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $vec)))
            (local.set $S0 (v128.const i32x4 0 0 0 0))
            (local.set $S1 (v128.const i32x4 0 0 0 0))
            (local.set $Q0 (v128.const i32x4 0 0 0 0))
            (local.set $Q1 (v128.const i32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $base) (local.get $g)))
            (block $rowsDone
              (loop $rowLoop
                (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $last)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
                (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
                (local.set $S0 (f64x2.add (local.get $S0) (local.get $lo)))
                (local.set $S1 (f64x2.add (local.get $S1) (local.get $hi)))
                (local.set $Q0 (f64x2.add (local.get $Q0) (f64x2.mul (local.get $lo) (local.get $lo))))
                (local.set $Q1 (f64x2.add (local.get $Q1) (f64x2.mul (local.get $hi) (local.get $hi))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (br $rowLoop)))
            ;; Channel g/4 is byte g·2 of the float64 sums.
            (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $g) (i32.const 1))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $S0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $S1)))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $c) (i32.const 3))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $Q0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $Q1)))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (br $groups)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $g) (local.get $stride)))
            (local.set $s (f64.const 0))
            (local.set $q (f64.const 0))
            (local.set $p (i32.add (local.get $base) (local.get $g)))
            (block $tailRowsDone
              (loop $tailRows
                (br_if $tailRowsDone (i32.ge_u (local.get $p) (local.get $last)))
                (local.set $e (f64.promote_f32 (f32.load (local.get $p))))
                (local.set $s (f64.add (local.get $s) (local.get $e)))
                (local.set $q (f64.add (local.get $q) (f64.mul (local.get $e) (local.get $e))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (br $tailRows)))
            (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $g) (i32.const 1))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s)))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $q)))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $tail)))
        (local.set $base (local.get $last))
        (br $chunks))))

  ;; channelSums with the upstream gradient dy [rows, c] too: sums[0..c) += Σx, [c..2c) += Σx², [2c..3c) += Σdy,
  ;; [3c..4c) += Σdy·x, in float64, in one sweep over both.
  (func (export "channelSumsWithGrad") (param $x i32) (param $dy i32) (param $rows i32) (param $c i32) (param $sums i32)
    (local $stride i32) (local $vec i32) (local $chunk i32) (local $base i32) (local $last i32) (local $end i32)
    (local $g i32) (local $p i32) (local $at i32) (local $toDy i32) (local $plane i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $dlo v128) (local $dhi v128)
    (local $S0 v128) (local $S1 v128) (local $Q0 v128) (local $Q1 v128) (local $D0 v128) (local $D1 v128) (local $P0 v128) (local $P1 v128)
    (local $e f64) (local $de f64) (local $s f64) (local $q f64) (local $ds f64) (local $dp f64)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $plane (i32.shl (local.get $c) (i32.const 3)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $toDy (i32.sub (local.get $dy) (local.get $x)))
    (local.set $chunk (i32.div_u (i32.const 2048) (local.get $c)))
    (if (i32.eqz (local.get $chunk)) (then (local.set $chunk (i32.const 1))))
    (local.set $chunk (i32.mul (local.get $chunk) (local.get $stride)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (local.set $base (local.get $x))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $base) (local.get $end)))
        (local.set $last (i32.add (local.get $base) (local.get $chunk)))
        (if (i32.gt_u (local.get $last) (local.get $end)) (then (local.set $last (local.get $end))))
        (local.set $g (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $vec)))
            (local.set $S0 (v128.const i32x4 0 0 0 0))
            (local.set $S1 (v128.const i32x4 0 0 0 0))
            (local.set $Q0 (v128.const i32x4 0 0 0 0))
            (local.set $Q1 (v128.const i32x4 0 0 0 0))
            (local.set $D0 (v128.const i32x4 0 0 0 0))
            (local.set $D1 (v128.const i32x4 0 0 0 0))
            (local.set $P0 (v128.const i32x4 0 0 0 0))
            (local.set $P1 (v128.const i32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $base) (local.get $g)))
            (block $rowsDone
              (loop $rowLoop
                (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $last)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
                (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
                (local.set $v (v128.load (i32.add (local.get $p) (local.get $toDy))))
                (local.set $dlo (f64x2.promote_low_f32x4 (local.get $v)))
                (local.set $dhi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
                (local.set $S0 (f64x2.add (local.get $S0) (local.get $lo)))
                (local.set $S1 (f64x2.add (local.get $S1) (local.get $hi)))
                (local.set $Q0 (f64x2.add (local.get $Q0) (f64x2.mul (local.get $lo) (local.get $lo))))
                (local.set $Q1 (f64x2.add (local.get $Q1) (f64x2.mul (local.get $hi) (local.get $hi))))
                (local.set $D0 (f64x2.add (local.get $D0) (local.get $dlo)))
                (local.set $D1 (f64x2.add (local.get $D1) (local.get $dhi)))
                (local.set $P0 (f64x2.add (local.get $P0) (f64x2.mul (local.get $dlo) (local.get $lo))))
                (local.set $P1 (f64x2.add (local.get $P1) (f64x2.mul (local.get $dhi) (local.get $hi))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (br $rowLoop)))
            (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $g) (i32.const 1))))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $S0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $S1)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $Q0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $Q1)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $D0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $D1)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $P0)))
            (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $P1)))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (br $groups)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $g) (local.get $stride)))
            (local.set $s (f64.const 0))
            (local.set $q (f64.const 0))
            (local.set $ds (f64.const 0))
            (local.set $dp (f64.const 0))
            (local.set $p (i32.add (local.get $base) (local.get $g)))
            (block $tailRowsDone
              (loop $tailRows
                (br_if $tailRowsDone (i32.ge_u (local.get $p) (local.get $last)))
                (local.set $e (f64.promote_f32 (f32.load (local.get $p))))
                (local.set $de (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $toDy)))))
                (local.set $s (f64.add (local.get $s) (local.get $e)))
                (local.set $q (f64.add (local.get $q) (f64.mul (local.get $e) (local.get $e))))
                (local.set $ds (f64.add (local.get $ds) (local.get $de)))
                (local.set $dp (f64.add (local.get $dp) (f64.mul (local.get $de) (local.get $e))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (br $tailRows)))
            (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $g) (i32.const 1))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $q)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $ds)))
            (local.set $at (i32.add (local.get $at) (local.get $plane)))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $dp)))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $tail)))
        (local.set $base (local.get $last))
        (br $chunks))))

  ;; Batch norm's output: out = (x − m)·a + b per channel (m, a, b float32 [c]), x and out [rows, c].
  (func (export "channelAffine") (param $x i32) (param $rows i32) (param $c i32) (param $m i32) (param $a i32) (param $b i32) (param $out i32)
    (local $stride i32) (local $vec i32) (local $end i32) (local $p i32) (local $toOut i32) (local $g i32)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (local.set $toOut (i32.sub (local.get $out) (local.get $x)))
    (local.set $p (local.get $x))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $g (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $vec)))
            (v128.store (i32.add (i32.add (local.get $p) (local.get $toOut)) (local.get $g))
              (f32x4.add
                (f32x4.mul
                  (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $g))) (v128.load (i32.add (local.get $m) (local.get $g))))
                  (v128.load (i32.add (local.get $a) (local.get $g))))
                (v128.load (i32.add (local.get $b) (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (br $groups)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $g) (local.get $stride)))
            (f32.store (i32.add (i32.add (local.get $p) (local.get $toOut)) (local.get $g))
              (f32.add
                (f32.mul
                  (f32.sub (f32.load (i32.add (local.get $p) (local.get $g))) (f32.load (i32.add (local.get $m) (local.get $g))))
                  (f32.load (i32.add (local.get $a) (local.get $g))))
                (f32.load (i32.add (local.get $b) (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $tail)))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $rowLoop))))

  ;; Batch norm's input gradient: out = (dy·a + (x − m)·b) + r per channel (m, a, b, r float32 [c]), all [rows, c].
  (func (export "channelAffineWithGrad") (param $x i32) (param $dy i32) (param $rows i32) (param $c i32)
    (param $m i32) (param $a i32) (param $b i32) (param $r i32) (param $out i32)
    (local $stride i32) (local $vec i32) (local $end i32) (local $p i32) (local $toOut i32) (local $toDy i32) (local $g i32) (local $at i32)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (local.set $toOut (i32.sub (local.get $out) (local.get $x)))
    (local.set $toDy (i32.sub (local.get $dy) (local.get $x)))
    (local.set $p (local.get $x))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $g (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $vec)))
            (local.set $at (i32.add (local.get $p) (local.get $g)))
            (v128.store (i32.add (local.get $at) (local.get $toOut))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (v128.load (i32.add (local.get $at) (local.get $toDy))) (v128.load (i32.add (local.get $a) (local.get $g))))
                  (f32x4.mul
                    (f32x4.sub (v128.load (local.get $at)) (v128.load (i32.add (local.get $m) (local.get $g))))
                    (v128.load (i32.add (local.get $b) (local.get $g)))))
                (v128.load (i32.add (local.get $r) (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (br $groups)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $g) (local.get $stride)))
            (local.set $at (i32.add (local.get $p) (local.get $g)))
            (f32.store (i32.add (local.get $at) (local.get $toOut))
              (f32.add
                (f32.add
                  (f32.mul (f32.load (i32.add (local.get $at) (local.get $toDy))) (f32.load (i32.add (local.get $a) (local.get $g))))
                  (f32.mul
                    (f32.sub (f32.load (local.get $at)) (f32.load (i32.add (local.get $m) (local.get $g))))
                    (f32.load (i32.add (local.get $b) (local.get $g)))))
                (f32.load (i32.add (local.get $r) (local.get $g)))))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $tail)))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $rowLoop))))

  ;; MaxPoolGrad (maxPoolGrad.ts): each output's gradient goes to its window's first maximum in scan order (fh, then
  ;; fw; padding skipped), the rule of tfjs's cpu kernel and of TensorFlow. x and dx are [batch, inH, inW, c], dy
  ;; [batch, outH, outW, c]; dx must be zero on entry. Four channels at a time: the running maximum and the byte
  ;; offset (from x) of where it was, taken over when a value is greater or nothing was taken yet (so the first
  ;; in-bounds pixel wins even when it is NaN or −∞); then four scalar additions into dx, in the order the cpu
  ;; kernel adds, so overlapping windows accumulate identically.
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $c i32)
    (param $outH i32) (param $outW i32) (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32)
    (param $dH i32) (param $dW i32) (param $top i32) (param $left i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $fh i32) (local $fw i32) (local $h i32) (local $w i32)
    (local $g i32) (local $stride i32) (local $vec i32) (local $p i32) (local $q i32) (local $o i32) (local $row i32)
    (local $best v128) (local $idx v128) (local $v v128) (local $mask v128)
    (local $bs f32) (local $vs f32) (local $is i32)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $q (local.get $dy))
    (block $batchDone
      (loop $batches
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $oh (i32.const 0))
        (block $ohDone
          (loop $ohLoop
            (br_if $ohDone (i32.ge_u (local.get $oh) (local.get $outH)))
            (local.set $ow (i32.const 0))
            (block $owDone
              (loop $owLoop
                (br_if $owDone (i32.ge_u (local.get $ow) (local.get $outW)))
                (local.set $g (i32.const 0))
                (block $groupsDone
                  (loop $groups
                    (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $vec)))
                    (local.set $best (v128.const i32x4 0 0 0 0))
                    (local.set $idx (v128.const i32x4 -1 -1 -1 -1))
                    (local.set $fh (i32.const 0))
                    (block $fhDone
                      (loop $fhLoop
                        (br_if $fhDone (i32.ge_u (local.get $fh) (local.get $fH)))
                        (local.set $h (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sH)) (i32.mul (local.get $fh) (local.get $dH))) (local.get $top)))
                        (if (i32.lt_u (local.get $h) (local.get $inH))
                          (then
                            (local.set $row (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $h)) (local.get $inW)))
                            (local.set $fw (i32.const 0))
                            (block $fwDone
                              (loop $fwLoop
                                (br_if $fwDone (i32.ge_u (local.get $fw) (local.get $fW)))
                                (local.set $w (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sW)) (i32.mul (local.get $fw) (local.get $dW))) (local.get $left)))
                                (if (i32.lt_u (local.get $w) (local.get $inW))
                                  (then
                                    (local.set $p (i32.add (i32.mul (i32.add (local.get $row) (local.get $w)) (local.get $stride)) (local.get $g)))
                                    (local.set $v (v128.load (i32.add (local.get $x) (local.get $p))))
                                    (local.set $mask (v128.or
                                      (f32x4.gt (local.get $v) (local.get $best))
                                      (i32x4.eq (local.get $idx) (v128.const i32x4 -1 -1 -1 -1))))
                                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                                    (local.set $idx (v128.bitselect
                                      (i32x4.add (i32x4.splat (local.get $p)) (v128.const i32x4 0 4 8 12))
                                      (local.get $idx) (local.get $mask)))))
                                (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                                (br $fwLoop)))))
                        (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
                        (br $fhLoop)))
                    (local.set $o (i32x4.extract_lane 0 (local.get $idx)))
                    (if (i32.ge_s (local.get $o) (i32.const 0))
                      (then (f32.store (i32.add (local.get $dx) (local.get $o))
                        (f32.add (f32.load (i32.add (local.get $dx) (local.get $o))) (f32.load (i32.add (local.get $q) (local.get $g)))))))
                    (local.set $o (i32x4.extract_lane 1 (local.get $idx)))
                    (if (i32.ge_s (local.get $o) (i32.const 0))
                      (then (f32.store (i32.add (local.get $dx) (local.get $o))
                        (f32.add (f32.load (i32.add (local.get $dx) (local.get $o))) (f32.load offset=4 (i32.add (local.get $q) (local.get $g)))))))
                    (local.set $o (i32x4.extract_lane 2 (local.get $idx)))
                    (if (i32.ge_s (local.get $o) (i32.const 0))
                      (then (f32.store (i32.add (local.get $dx) (local.get $o))
                        (f32.add (f32.load (i32.add (local.get $dx) (local.get $o))) (f32.load offset=8 (i32.add (local.get $q) (local.get $g)))))))
                    (local.set $o (i32x4.extract_lane 3 (local.get $idx)))
                    (if (i32.ge_s (local.get $o) (i32.const 0))
                      (then (f32.store (i32.add (local.get $dx) (local.get $o))
                        (f32.add (f32.load (i32.add (local.get $dx) (local.get $o))) (f32.load offset=12 (i32.add (local.get $q) (local.get $g)))))))
                    (local.set $g (i32.add (local.get $g) (i32.const 16)))
                    (br $groups)))
                ;; The channels past the last group of four, one at a time.
                (block $tailDone
                  (loop $tail
                    (br_if $tailDone (i32.ge_u (local.get $g) (local.get $stride)))
                    (local.set $bs (f32.const 0))
                    (local.set $is (i32.const -1))
                    (local.set $fh (i32.const 0))
                    (block $tfhDone
                      (loop $tfhLoop
                        (br_if $tfhDone (i32.ge_u (local.get $fh) (local.get $fH)))
                        (local.set $h (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sH)) (i32.mul (local.get $fh) (local.get $dH))) (local.get $top)))
                        (if (i32.lt_u (local.get $h) (local.get $inH))
                          (then
                            (local.set $row (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $h)) (local.get $inW)))
                            (local.set $fw (i32.const 0))
                            (block $tfwDone
                              (loop $tfwLoop
                                (br_if $tfwDone (i32.ge_u (local.get $fw) (local.get $fW)))
                                (local.set $w (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sW)) (i32.mul (local.get $fw) (local.get $dW))) (local.get $left)))
                                (if (i32.lt_u (local.get $w) (local.get $inW))
                                  (then
                                    (local.set $p (i32.add (i32.mul (i32.add (local.get $row) (local.get $w)) (local.get $stride)) (local.get $g)))
                                    (local.set $vs (f32.load (i32.add (local.get $x) (local.get $p))))
                                    (if (i32.or (f32.gt (local.get $vs) (local.get $bs)) (i32.eq (local.get $is) (i32.const -1)))
                                      (then
                                        (local.set $bs (local.get $vs))
                                        (local.set $is (local.get $p))))))
                                (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                                (br $tfwLoop)))))
                        (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
                        (br $tfhLoop)))
                    (if (i32.ge_s (local.get $is) (i32.const 0))
                      (then (f32.store (i32.add (local.get $dx) (local.get $is))
                        (f32.add (f32.load (i32.add (local.get $dx) (local.get $is))) (f32.load (i32.add (local.get $q) (local.get $g)))))))
                    (local.set $g (i32.add (local.get $g) (i32.const 4)))
                    (br $tail)))
                (local.set $q (i32.add (local.get $q) (local.get $stride)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $owLoop)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $ohLoop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $batches))))

  ;; ReLU's gradient (reluGrad.ts): out = dy·step(x), step(x) = 1 where x > 0, NaN where x is NaN, else 0 — tfjs's
  ;; Step then Multiply in one pass, the same float32 product (NaN, −0 and ∞·0 included).
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $all i32) (local $v v128) (local $xs f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $all (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (v128.load (i32.add (local.get $dy) (local.get $i)))
            (v128.bitselect
              (local.get $v)
              (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
              (f32x4.ne (local.get $v) (local.get $v)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $all)))
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul
            (f32.load (i32.add (local.get $dy) (local.get $i)))
            (select (local.get $xs)
              (select (f32.const 1) (f32.const 0) (f32.gt (local.get $xs) (f32.const 0)))
              (f32.ne (local.get $xs) (local.get $xs)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))))
