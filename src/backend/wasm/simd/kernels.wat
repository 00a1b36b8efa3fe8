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
        (br $tail))))

  ;; conv2dFilterByProduct.ts: a convolution's input patches as rows, so that its filter gradient is one matrix
  ;; product dW = patches · dy. src holds n images as [n, C, H, W]; dst gets [KH·KW·C, n·OH·OW], row (kh·KW + kw)·C + c
  ;; holding, for each output pixel (b, oh, ow), src[b, c, oh·sh + kh·dh − top, ow·sw + kw·dw − left], or zero where
  ;; that position is padding. Rows are written in order, one float after the other. Every count must be positive.
  (func (export "im2colRows")
    (param $src i32) (param $dst i32) (param $C i32) (param $H i32) (param $W i32) (param $n i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $top i32) (param $left i32)
    (local $kh i32) (local $kw i32) (local $c i32) (local $b i32) (local $oh i32)
    (local $h i32) (local $w0 i32) (local $t i32) (local $lo i32) (local $hi i32) (local $row i32) (local $plane i32)
    (local.set $plane (i32.mul (local.get $H) (local.get $W)))
    (loop $khs
      (local.set $kw (i32.const 0))
      (loop $kws
        ;; Output columns ow in [lo, hi) read inside the image row: 0 <= ow*sw + w0 < W.
        (local.set $w0 (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $left)))
        (local.set $lo (select
          (i32.div_s (i32.sub (i32.add (local.get $sw) (i32.const -1)) (local.get $w0)) (local.get $sw))
          (i32.const 0)
          (i32.lt_s (local.get $w0) (i32.const 0))))
        (if (i32.gt_s (local.get $lo) (local.get $OW)) (then (local.set $lo (local.get $OW))))
        (local.set $t (i32.sub (local.get $W) (local.get $w0)))
        (local.set $hi (select
          (i32.div_s (i32.add (local.get $t) (i32.add (local.get $sw) (i32.const -1))) (local.get $sw))
          (i32.const 0)
          (i32.gt_s (local.get $t) (i32.const 0))))
        (if (i32.gt_s (local.get $hi) (local.get $OW)) (then (local.set $hi (local.get $OW))))
        (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
        (local.set $c (i32.const 0))
        (if (i32.and (i32.and (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1))) (i32.eq (local.get $OW) (local.get $W)))
          (then
            ;; Stride 1 and output rows as wide as input rows: a patch row's block for one image is the image plane
            ;; shifted, one contiguous copy, then the columns that fell off the row edge zeroed.
            (loop $planeChannels
              (local.set $b (i32.const 0))
              (loop $planeImages
                (local.set $row (i32.add (local.get $src) (i32.shl
                  (i32.mul (i32.add (i32.mul (local.get $b) (local.get $C)) (local.get $c)) (local.get $plane))
                  (i32.const 2))))
                (local.set $dst (call $shiftedPlane (local.get $dst) (local.get $row) (local.get $H) (local.get $W) (local.get $OH)
                  (i32.sub (i32.mul (local.get $kh) (local.get $dh)) (local.get $top)) (local.get $w0)))
                (br_if $planeImages (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n))))
              (br_if $planeChannels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $C))))
            (local.set $c (local.get $C))))
        (if (i32.lt_u (local.get $c) (local.get $C)) (then
        (loop $cs
          (local.set $b (i32.const 0))
          (loop $bs
            (local.set $oh (i32.const 0))
            (loop $ohs
              (local.set $h (i32.sub
                (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh)))
                (local.get $top)))
              (if (i32.lt_u (local.get $h) (local.get $H))
                (then
                  ;; src row (b, c, h), from its first float
                  (local.set $row (i32.add (local.get $src) (i32.shl
                    (i32.add
                      (i32.mul (i32.add (i32.mul (local.get $b) (local.get $C)) (local.get $c)) (local.get $plane))
                      (i32.mul (local.get $h) (local.get $W)))
                    (i32.const 2))))
                  (call $zeroFloats (local.get $dst) (local.get $lo))
                  (call $copyFloats
                    (i32.add (local.get $dst) (i32.shl (local.get $lo) (i32.const 2)))
                    (i32.add (local.get $row) (i32.shl (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $w0)) (i32.const 2)))
                    (i32.sub (local.get $hi) (local.get $lo))
                    (local.get $sw))
                  (call $zeroFloats
                    (i32.add (local.get $dst) (i32.shl (local.get $hi) (i32.const 2)))
                    (i32.sub (local.get $OW) (local.get $hi))))
                (else (call $zeroFloats (local.get $dst) (local.get $OW))))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $OW) (i32.const 2))))
              (br_if $ohs (i32.lt_u (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
            (br_if $bs (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n))))
          (br_if $cs (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $C))))))
        (br_if $kws (i32.lt_u (local.tee $kw (i32.add (local.get $kw) (i32.const 1))) (local.get $KW))))
      (br_if $khs (i32.lt_u (local.tee $kh (i32.add (local.get $kh) (i32.const 1))) (local.get $KH)))))

  ;; n zero floats from byte offset d.
  (func $zeroFloats (param $d i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (v128.store (local.get $d) (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $vector)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $d) (local.get $end)))
        (f32.store (local.get $d) (f32.const 0))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $tail))))

  ;; n floats to byte offset d, read from s every step floats (1: contiguous; 2: every other float, four at a time
  ;; from two vectors while a further float remains to be read, so no read passes the last float wanted).
  (func $copyFloats (param $d i32) (param $s i32) (param $n i32) (param $step i32)
    (local $stride i32)
    (if (i32.eq (local.get $step) (i32.const 1))
      (then
        (block $done
          (loop $vector
            (br_if $done (i32.lt_s (local.get $n) (i32.const 4)))
            (v128.store (local.get $d) (v128.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $vector))))
      (else
        (if (i32.eq (local.get $step) (i32.const 2))
          (then
            (block $done
              (loop $vector
                (br_if $done (i32.le_s (local.get $n) (i32.const 4)))
                (v128.store (local.get $d)
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                    (v128.load (local.get $s)) (v128.load offset=16 (local.get $s))))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (local.set $s (i32.add (local.get $s) (i32.const 32)))
                (local.set $n (i32.sub (local.get $n) (i32.const 4)))
                (br $vector)))))))
    (local.set $stride (i32.shl (local.get $step) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.le_s (local.get $n) (i32.const 0)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (local.get $stride)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))

  ;; One image plane [H, W] (at byte offset src) shifted by dH rows and w0 columns into an [OH, W] block at dst, zero
  ;; where the shift leaves the plane: out[oh, ow] = src[oh + dH, ow + w0]. Reads only the plane's rows in use.
  ;; Returns the byte offset after the block.
  (func $shiftedPlane (param $dst i32) (param $src i32) (param $H i32) (param $W i32) (param $OH i32) (param $dH i32) (param $w0 i32)
    (result i32)
    (local $r0 i32) (local $r1 i32) (local $len i32) (local $edge i32) (local $at i32) (local $end i32) (local $pitch i32)
    ;; rows r0 <= oh < r1 read the plane
    (local.set $r0 (select (i32.sub (i32.const 0) (local.get $dH)) (i32.const 0) (i32.lt_s (local.get $dH) (i32.const 0))))
    (local.set $r1 (i32.sub (local.get $H) (local.get $dH)))
    (if (i32.gt_s (local.get $r1) (local.get $OH)) (then (local.set $r1 (local.get $OH))))
    (if (i32.gt_s (local.get $r0) (local.get $OH)) (then (local.set $r0 (local.get $OH))))
    (local.set $edge (select (local.get $w0) (i32.sub (i32.const 0) (local.get $w0)) (i32.ge_s (local.get $w0) (i32.const 0))))
    (if (i32.or (i32.lt_s (local.get $r1) (local.get $r0)) (i32.ge_s (local.get $edge) (local.get $W))) (then (local.set $r1 (local.get $r0))))
    (local.set $pitch (i32.shl (local.get $W) (i32.const 2)))
    (call $zeroFloats (local.get $dst) (i32.mul (local.get $r0) (local.get $W)))
    (if (i32.lt_s (local.get $r0) (local.get $r1))
      (then
        (local.set $len (i32.sub (i32.mul (i32.sub (local.get $r1) (local.get $r0)) (local.get $W)) (local.get $edge)))
        (local.set $at (i32.add (local.get $dst) (i32.mul (local.get $r0) (local.get $pitch))))
        (local.set $src (i32.add (local.get $src) (i32.mul (i32.add (local.get $r0) (local.get $dH)) (local.get $pitch))))
        (if (i32.ge_s (local.get $w0) (i32.const 0))
          (then
            (call $copyFloats (local.get $at) (i32.add (local.get $src) (i32.shl (local.get $w0) (i32.const 2))) (local.get $len) (i32.const 1))
            ;; the last w0 columns of each row
            (local.set $at (i32.add (local.get $at) (i32.shl (i32.sub (local.get $W) (local.get $edge)) (i32.const 2)))))
          (else
            (call $copyFloats (i32.add (local.get $at) (i32.shl (local.get $edge) (i32.const 2))) (local.get $src) (local.get $len) (i32.const 1))))
        ;; zero `edge` floats at `at` in each row r0 <= oh < r1
        (local.set $end (i32.add (local.get $at) (i32.mul (i32.sub (local.get $r1) (local.get $r0)) (local.get $pitch))))
        (if (i32.gt_s (local.get $edge) (i32.const 0))
          (then
            (loop $rows
              (call $zeroFloats (local.get $at) (local.get $edge))
              (br_if $rows (i32.lt_u (local.tee $at (i32.add (local.get $at) (local.get $pitch))) (local.get $end))))))))
    (call $zeroFloats
      (i32.add (local.get $dst) (i32.mul (local.get $r1) (local.get $pitch)))
      (i32.mul (i32.sub (local.get $OH) (local.get $r1)) (local.get $W)))
    (i32.add (local.get $dst) (i32.mul (local.get $OH) (local.get $pitch))))

  ;; n images from NHWC to NCHW: [n, P, C] at src to [n, C, P] at dst, P pixels of C channels. Four pixels by four
  ;; channels at a time (a 4×4 transpose in registers) where P and C are multiples of 4, else one float at a time.
  (func (export "nhwcToNchw") (param $src i32) (param $dst i32) (param $n i32) (param $P i32) (param $C i32)
    (local $b i32) (local $p i32) (local $c i32) (local $s i32) (local $d i32) (local $rowBytes i32) (local $colBytes i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $P) (i32.const 2)))
    (block $done
      (loop $images
        (br_if $done (i32.ge_u (local.get $b) (local.get $n)))
        (if (i32.eqz (i32.and (i32.or (local.get $P) (local.get $C)) (i32.const 3)))
          (then
            (local.set $p (i32.const 0))
            (block $pixelsDone
              (loop $pixels
                (br_if $pixelsDone (i32.ge_u (local.get $p) (local.get $P)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $channels
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $C)))
                    (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $C)) (local.get $c)) (i32.const 2))))
                    (local.set $r0 (v128.load (local.get $s)))
                    (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
                    (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                    (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 3)))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $P)) (local.get $p)) (i32.const 2))))
                    (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (local.get $d) (local.get $colBytes))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (local.get $d) (i32.shl (local.get $colBytes) (i32.const 1)))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store (i32.add (local.get $d) (i32.mul (local.get $colBytes) (i32.const 3)))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $c (i32.add (local.get $c) (i32.const 4)))
                    (br $channels)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $pixels))))
          (else
            (local.set $p (i32.const 0))
            (block $pixelsDone
              (loop $pixels
                (br_if $pixelsDone (i32.ge_u (local.get $p) (local.get $P)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $channels
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $C)))
                    (f32.store
                      (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $P)) (local.get $p)) (i32.const 2)))
                      (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $C)) (local.get $c)) (i32.const 2)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $channels)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $pixels)))))
        (local.set $src (i32.add (local.get $src) (i32.mul (local.get $P) (local.get $rowBytes))))
        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $P) (local.get $rowBytes))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $images))))

  ;; conv2dFilterByProduct.ts: out[m, n] += a[m, k] · b[k, n], all row-major, n a multiple of 8. Four rows of a by
  ;; eight columns of b at a time, k innermost (a's rows are the long pixel axis; b is dy as it lies, unpacked: packing
  ;; it cost XNNPACK's product ~5 ns a float here). k is taken kc at a time, so four rows' stretch of a stays in L1
  ;; across the column blocks and b's stretch in L2 across the row blocks. Rows past the last multiple of 4 one by one.
  (func (export "gemmAccumulate") (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32) (param $kc i32)
    (local $i i32) (local $j i32) (local $q i32) (local $lda i32) (local $ldb i32) (local $q0 i32) (local $q1 i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bk i32) (local $bp i32) (local $o i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $lda (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $n) (i32.const 2)))
    ;; k from byte q0 to q1 of each row of a
    (loop $kBlocks
      (local.set $q1 (i32.add (local.get $q0) (i32.shl (local.get $kc) (i32.const 2))))
      (if (i32.gt_u (local.get $q1) (local.get $lda)) (then (local.set $q1 (local.get $lda))))
      (local.set $bk (i32.add (local.get $b) (i32.mul (i32.shr_u (local.get $q0) (i32.const 2)) (local.get $ldb))))
      (local.set $i (i32.const 0))
      (block $rowsDone
        (loop $rows
          (br_if $rowsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
          (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
          (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
          (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
          (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
          (local.set $j (i32.const 0))
          (loop $cols
              (local.set $c00 (v128.const i32x4 0 0 0 0))
              (local.set $c01 (v128.const i32x4 0 0 0 0))
              (local.set $c10 (v128.const i32x4 0 0 0 0))
              (local.set $c11 (v128.const i32x4 0 0 0 0))
              (local.set $c20 (v128.const i32x4 0 0 0 0))
              (local.set $c21 (v128.const i32x4 0 0 0 0))
              (local.set $c30 (v128.const i32x4 0 0 0 0))
              (local.set $c31 (v128.const i32x4 0 0 0 0))
            (local.set $q (local.get $q0))
            (local.set $bp (i32.add (local.get $bk) (i32.shl (local.get $j) (i32.const 2))))
            (loop $inner
              (local.set $b0 (v128.load (local.get $bp)))
              (local.set $b1 (v128.load offset=16 (local.get $bp)))
                  (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $q))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat (i32.add (local.get $a1) (local.get $q))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat (i32.add (local.get $a2) (local.get $q))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat (i32.add (local.get $a3) (local.get $q))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
              (br_if $inner (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $q1))))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
              (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $c00)))
              (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c01)))
              (local.set $o (i32.add (local.get $o) (local.get $ldb)))
              (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $c10)))
              (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c11)))
              (local.set $o (i32.add (local.get $o) (local.get $ldb)))
              (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $c20)))
              (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c21)))
              (local.set $o (i32.add (local.get $o) (local.get $ldb)))
              (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $c30)))
              (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c31)))
            (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $rows)))
      (block $restDone
        (loop $rest
          (br_if $restDone (i32.ge_u (local.get $i) (local.get $m)))
          (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
          (local.set $j (i32.const 0))
          (loop $cols
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $q (local.get $q0))
            (local.set $bp (i32.add (local.get $bk) (i32.shl (local.get $j) (i32.const 2))))
            (loop $inner
              (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $q))))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (v128.load (local.get $bp)))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $bp)))))
              (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
              (br_if $inner (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $q1))))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $c00)))
            (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c01)))
            (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rest)))
      (br_if $kBlocks (i32.lt_u (local.tee $q0 (local.get $q1)) (local.get $lda)))))

  ;; conv2dInputByProduct.ts: the input gradient's scatter (col2im). cols holds, for each output pixel (b, oh, ow) of n
  ;; images, a row of KH·KW·C floats, the gradient that pixel sends through each tap (kh, kw) to input channel c;
  ;; each tap's C floats are added into dx [n, H, W, C] at (b, oh·sh + kh·dh − top, ow·sw + kw·dw − left) where that
  ;; position is inside the image (the rest fell on padding). Every count must be positive.
  (func (export "col2imAdd")
    (param $cols i32) (param $dx i32) (param $C i32) (param $H i32) (param $W i32) (param $n i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $top i32) (param $left i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $h i32) (local $w i32)
    (local $tapBytes i32) (local $rowBytes i32) (local $image i32) (local $line i32) (local $src i32)
    (local.set $tapBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $tapBytes)))
    (loop $images
      (local.set $image (i32.add (local.get $dx) (i32.mul (i32.mul (local.get $b) (local.get $H)) (local.get $rowBytes))))
      (local.set $oh (i32.const 0))
      (loop $outRows
        (local.set $ow (i32.const 0))
        (loop $outCols
          (local.set $src (local.get $cols))
          (local.set $kh (i32.const 0))
          (loop $tapRows
            (local.set $h (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $top)))
            (if (i32.lt_u (local.get $h) (local.get $H))
              (then
                (local.set $line (i32.add (local.get $image) (i32.mul (local.get $h) (local.get $rowBytes))))
                (local.set $kw (i32.const 0))
                (loop $tapCols
                  (local.set $w (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sw)) (i32.mul (local.get $kw) (local.get $dw))) (local.get $left)))
                  (if (i32.lt_u (local.get $w) (local.get $W))
                    (then (call $addFloats (i32.add (local.get $line) (i32.mul (local.get $w) (local.get $tapBytes))) (local.get $src) (local.get $C))))
                  (local.set $src (i32.add (local.get $src) (local.get $tapBytes)))
                  (br_if $tapCols (i32.lt_u (local.tee $kw (i32.add (local.get $kw) (i32.const 1))) (local.get $KW)))))
              (else (local.set $src (i32.add (local.get $src) (i32.mul (local.get $KW) (local.get $tapBytes))))))
            (br_if $tapRows (i32.lt_u (local.tee $kh (i32.add (local.get $kh) (i32.const 1))) (local.get $KH))))
          (local.set $cols (local.get $src))
          (br_if $outCols (i32.lt_u (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
        (br_if $outRows (i32.lt_u (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
      (br_if $images (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n)))))

  ;; d[i] += s[i] for n floats at byte offsets d and s.
  (func $addFloats (param $d i32) (param $s i32) (param $n i32)
    (block $done
      (loop $vector
        (br_if $done (i32.lt_s (local.get $n) (i32.const 4)))
        (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.le_s (local.get $n) (i32.const 0)))
        (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))

  ;; conv2dDirect.ts: a forward convolution computed directly (no patch matrix): xp is the input already padded,
  ;; [n, Hp, Wp, C]; w the filter [KH·KW·C, co] packed by packColumnBlocks into co/8 blocks [KH·KW·C, 8], co a
  ;; multiple of 8; y [n, OH, OW, co] is written. Four output pixels (consecutive in y, across rows and images) by
  ;; eight output channels at a time: for each filter row, the KW·C inputs a pixel reads are one run of xp, so the
  ;; reduction is a product of four such runs with the block's rows, read in order. The last n·OH·OW mod 4 pixels
  ;; one at a time.
  (func (export "convDirect")
    (param $xp i32) (param $w i32) (param $y i32) (param $n i32) (param $Hp i32) (param $Wp i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32) (param $co i32) (param $sh i32) (param $sw i32)
    (local $p i32) (local $pixels i32) (local $j i32) (local $q i32) (local $end i32) (local $run i32) (local $last i32)
    (local $lineSkip i32) (local $pixelBytes i32) (local $rowStep i32) (local $imageStep i32) (local $ldo i32) (local $wp i32)
    (local $o i32) (local $out i32) (local $next i32) (local $line i32) (local $oh i32) (local $ow i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $run (i32.shl (i32.mul (local.get $KW) (local.get $C)) (i32.const 2)))
    ;; a window's filter rows are lineBytes apart: after one row's run, skip to the next
    (local.set $lineSkip (i32.sub (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2)) (local.get $run)))
    (local.set $last (i32.mul (local.get $KH) (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2))))
    (local.set $pixelBytes (i32.shl (i32.mul (local.get $sw) (local.get $C)) (i32.const 2)))
    (local.set $rowStep (i32.mul (local.get $sh) (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2))))
    ;; from the line after an image's last output row to the next image's first
    (local.set $imageStep (i32.sub (i32.shl (i32.mul (i32.mul (local.get $Hp) (local.get $Wp)) (local.get $C)) (i32.const 2)) (i32.mul (local.get $OH) (local.get $rowStep))))
    (local.set $ldo (i32.shl (local.get $co) (i32.const 2)))
    (local.set $pixels (i32.mul (local.get $n) (i32.mul (local.get $OH) (local.get $OW))))
    (local.set $next (local.get $xp))
    (local.set $line (local.get $xp))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $pixels)))
        (local.set $t0 (local.get $next))
        (local.set $next (i32.add (local.get $next) (local.get $pixelBytes)))
        (if (i32.eq (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $line (i32.add (local.get $line) (local.get $rowStep)))
            (if (i32.eq (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))
              (then
                (local.set $oh (i32.const 0))
                (local.set $line (i32.add (local.get $line) (local.get $imageStep)))))
            (local.set $next (local.get $line))))
        (local.set $t1 (local.get $next))
        (local.set $next (i32.add (local.get $next) (local.get $pixelBytes)))
        (if (i32.eq (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $line (i32.add (local.get $line) (local.get $rowStep)))
            (if (i32.eq (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))
              (then
                (local.set $oh (i32.const 0))
                (local.set $line (i32.add (local.get $line) (local.get $imageStep)))))
            (local.set $next (local.get $line))))
        (local.set $t2 (local.get $next))
        (local.set $next (i32.add (local.get $next) (local.get $pixelBytes)))
        (if (i32.eq (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $line (i32.add (local.get $line) (local.get $rowStep)))
            (if (i32.eq (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))
              (then
                (local.set $oh (i32.const 0))
                (local.set $line (i32.add (local.get $line) (local.get $imageStep)))))
            (local.set $next (local.get $line))))
        (local.set $t3 (local.get $next))
        (local.set $next (i32.add (local.get $next) (local.get $pixelBytes)))
        (if (i32.eq (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $line (i32.add (local.get $line) (local.get $rowStep)))
            (if (i32.eq (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))
              (then
                (local.set $oh (i32.const 0))
                (local.set $line (i32.add (local.get $line) (local.get $imageStep)))))
            (local.set $next (local.get $line))))
        (local.set $out (i32.add (local.get $y) (i32.mul (local.get $p) (local.get $ldo))))
        (local.set $wp (local.get $w))
        (local.set $j (i32.const 0))
        (loop $quadChannels
          (local.set $c00 (v128.const i32x4 0 0 0 0))
          (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0))
          (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0))
          (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0))
          (local.set $c31 (v128.const i32x4 0 0 0 0))
          (local.set $q (i32.const 0))
          (loop $quadFilterRows
            (local.set $end (i32.add (local.get $q) (local.get $run)))
            (loop $quadTaps
                  (local.set $b0 (v128.load (local.get $wp)))
                  (local.set $b1 (v128.load offset=16 (local.get $wp)))
                    (local.set $s (v128.load32_splat (i32.add (local.get $t0) (local.get $q))))
                    (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
                    (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
                    (local.set $s (v128.load32_splat (i32.add (local.get $t1) (local.get $q))))
                    (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
                    (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
                    (local.set $s (v128.load32_splat (i32.add (local.get $t2) (local.get $q))))
                    (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
                    (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
                    (local.set $s (v128.load32_splat (i32.add (local.get $t3) (local.get $q))))
                    (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
                    (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
              (br_if $quadTaps (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $end))))
            (br_if $quadFilterRows (i32.lt_u (local.tee $q (i32.add (local.get $q) (local.get $lineSkip))) (local.get $last))))
          (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
          (v128.store (local.get $o) (local.get $c00))
          (v128.store offset=16 (local.get $o) (local.get $c01))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (v128.store (local.get $o) (local.get $c10))
          (v128.store offset=16 (local.get $o) (local.get $c11))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (v128.store (local.get $o) (local.get $c20))
          (v128.store offset=16 (local.get $o) (local.get $c21))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (v128.store (local.get $o) (local.get $c30))
          (v128.store offset=16 (local.get $o) (local.get $c31))
          (br_if $quadChannels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $co))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quads)))
    (block $singlesDone
      (loop $singles
        (br_if $singlesDone (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $t0 (local.get $next))
        (local.set $next (i32.add (local.get $next) (local.get $pixelBytes)))
        (if (i32.eq (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $line (i32.add (local.get $line) (local.get $rowStep)))
            (if (i32.eq (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))
              (then
                (local.set $oh (i32.const 0))
                (local.set $line (i32.add (local.get $line) (local.get $imageStep)))))
            (local.set $next (local.get $line))))
        (local.set $out (i32.add (local.get $y) (i32.mul (local.get $p) (local.get $ldo))))
        (local.set $wp (local.get $w))
        (local.set $j (i32.const 0))
        (loop $singleChannels
          (local.set $c00 (v128.const i32x4 0 0 0 0))
          (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $q (i32.const 0))
          (loop $singleFilterRows
            (local.set $end (i32.add (local.get $q) (local.get $run)))
            (loop $singleTaps
                  (local.set $b0 (v128.load (local.get $wp)))
                  (local.set $b1 (v128.load offset=16 (local.get $wp)))
                    (local.set $s (v128.load32_splat (i32.add (local.get $t0) (local.get $q))))
                    (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
                    (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
              (br_if $singleTaps (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $end))))
            (br_if $singleFilterRows (i32.lt_u (local.tee $q (i32.add (local.get $q) (local.get $lineSkip))) (local.get $last))))
          (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
          (v128.store (local.get $o) (local.get $c00))
          (v128.store offset=16 (local.get $o) (local.get $c01))
          (br_if $singleChannels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $co))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $singles))))

  ;; n images [H, W, C] at src into zero-padded [Hp, Wp, C] at dst, image pixel (h, w) at (h + top, w + left); rows and
  ;; columns that land past Hp or Wp are left out (a convolution never reads them).
  (func (export "padImages")
    (param $src i32) (param $dst i32) (param $n i32) (param $H i32) (param $W i32) (param $C i32) (param $Hp i32) (param $Wp i32)
    (param $top i32) (param $left i32)
    (local $b i32) (local $h i32) (local $rows i32) (local $count i32) (local $inLine i32) (local $outLine i32) (local $to i32)
    (call $zeroFloats (local.get $dst) (i32.mul (i32.mul (local.get $n) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $C))))
    (local.set $rows (i32.sub (local.get $Hp) (local.get $top)))
    (if (i32.gt_s (local.get $rows) (local.get $H)) (then (local.set $rows (local.get $H))))
    (local.set $count (i32.sub (local.get $Wp) (local.get $left)))
    (if (i32.gt_s (local.get $count) (local.get $W)) (then (local.set $count (local.get $W))))
    (if (i32.or (i32.le_s (local.get $rows) (i32.const 0)) (i32.le_s (local.get $count) (i32.const 0))) (then (return)))
    (local.set $count (i32.mul (local.get $count) (local.get $C)))
    (local.set $inLine (i32.shl (i32.mul (local.get $W) (local.get $C)) (i32.const 2)))
    (local.set $outLine (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2)))
    (loop $images
      (local.set $to (i32.add
        (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp)) (local.get $top)) (local.get $outLine)))
        (i32.shl (i32.mul (local.get $left) (local.get $C)) (i32.const 2))))
      (local.set $h (i32.const 0))
      (loop $lines
        (call $copyFloats (local.get $to) (i32.add (local.get $src) (i32.mul (local.get $h) (local.get $inLine))) (local.get $count) (i32.const 1))
        (local.set $to (i32.add (local.get $to) (local.get $outLine)))
        (br_if $lines (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $rows))))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $H) (local.get $inLine))))
      (br_if $images (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n)))))

  ;; conv2dDirect.ts: w [rows, co] (co a multiple of 8) as co/8 blocks [rows, 8], each contiguous, so that convDirect
  ;; reads a block's rows in order.
  (func (export "packColumnBlocks") (param $w i32) (param $out i32) (param $rows i32) (param $co i32)
    (local $j i32) (local $r i32) (local $src i32) (local $ld i32)
    (local.set $ld (i32.shl (local.get $co) (i32.const 2)))
    (loop $blocks
      (local.set $src (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $r (i32.const 0))
      (loop $rowsOfBlock
        (v128.store (local.get $out) (v128.load (local.get $src)))
        (v128.store offset=16 (local.get $out) (v128.load offset=16 (local.get $src)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (local.get $ld)))
        (br_if $rowsOfBlock (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
      (br_if $blocks (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $co)))))

  ;; matMulUnpacked.ts: out [m, n] = a [m, k] · bᵀ for b [n, k], k a multiple of 4 (a dense layer's input gradient dy·Wᵀ
  ;; with W as it lies). Each output is a dot product of two rows: four rows of a by two of b at a time, four terms of
  ;; each per step, the lanes added at the end. b is taken 64 rows at a time, so its block stays in cache while every
  ;; row of a passes over it. Rows of a past the last multiple of 4 and a last odd row of b one at a time.
  (func (export "productTransposedB") (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $r i32) (local $r0 i32) (local $r1 i32) (local $q i32) (local $lda i32) (local $ldo i32) (local $o i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $b0 i32) (local $b1 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $v0 v128) (local $v1 v128) (local $s v128)
    (local.set $lda (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldo (i32.shl (local.get $n) (i32.const 2)))
    (loop $columnBlocks
      (local.set $r1 (i32.add (local.get $r0) (i32.const 64)))
      (if (i32.gt_u (local.get $r1) (local.get $n)) (then (local.set $r1 (local.get $n))))
      (local.set $i (i32.const 0))
      (loop $rowTiles
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
        (local.set $r (local.get $r0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $r1)))
            (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $r) (local.get $lda))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $lda)))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $r)) (i32.const 2))))
            (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $m))
              (then
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0))
                (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0))
                (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0))
                (local.set $c31 (v128.const i32x4 0 0 0 0))
                (local.set $q (i32.const 0))
                (loop $quadPair
                  (local.set $v0 (v128.load (i32.add (local.get $b0) (local.get $q))))
                  (local.set $v1 (v128.load (i32.add (local.get $b1) (local.get $q))))
                  (local.set $s (v128.load (i32.add (local.get $a0) (local.get $q))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $v1))))
                  (local.set $s (v128.load (i32.add (local.get $a1) (local.get $q))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $v1))))
                  (local.set $s (v128.load (i32.add (local.get $a2) (local.get $q))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $v1))))
                  (local.set $s (v128.load (i32.add (local.get $a3) (local.get $q))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $v1))))
                  (br_if $quadPair (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 16))) (local.get $lda))))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c00)))
                (f32.store offset=4 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c01)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 1) (local.get $ldo))) (call $laneSum (local.get $c10)))
                (f32.store offset=4 (i32.add (local.get $o) (i32.mul (i32.const 1) (local.get $ldo))) (call $laneSum (local.get $c11)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 2) (local.get $ldo))) (call $laneSum (local.get $c20)))
                (f32.store offset=4 (i32.add (local.get $o) (i32.mul (i32.const 2) (local.get $ldo))) (call $laneSum (local.get $c21)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 3) (local.get $ldo))) (call $laneSum (local.get $c30)))
                (f32.store offset=4 (i32.add (local.get $o) (i32.mul (i32.const 3) (local.get $ldo))) (call $laneSum (local.get $c31)))
                )
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $q (i32.const 0))
                (loop $singlePair
                  (local.set $v0 (v128.load (i32.add (local.get $b0) (local.get $q))))
                  (local.set $v1 (v128.load (i32.add (local.get $b1) (local.get $q))))
                  (local.set $s (v128.load (i32.add (local.get $a0) (local.get $q))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $v1))))
                  (br_if $singlePair (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 16))) (local.get $lda))))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c00)))
                (f32.store offset=4 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c01)))
                ))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $r) (local.get $r1))
          (then
            (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $r) (local.get $lda))))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $r)) (i32.const 2))))
            (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $m))
              (then
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0))
                (local.set $q (i32.const 0))
                (loop $quadOne
                  (local.set $v0 (v128.load (i32.add (local.get $b0) (local.get $q))))
                  (local.set $s (v128.load (i32.add (local.get $a0) (local.get $q))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $s (v128.load (i32.add (local.get $a1) (local.get $q))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $s (v128.load (i32.add (local.get $a2) (local.get $q))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $v0))))
                  (local.set $s (v128.load (i32.add (local.get $a3) (local.get $q))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $v0))))
                  (br_if $quadOne (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 16))) (local.get $lda))))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c00)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 1) (local.get $ldo))) (call $laneSum (local.get $c10)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 2) (local.get $ldo))) (call $laneSum (local.get $c20)))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 3) (local.get $ldo))) (call $laneSum (local.get $c30)))
                )
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $q (i32.const 0))
                (loop $singleOne
                  (local.set $v0 (v128.load (i32.add (local.get $b0) (local.get $q))))
                  (local.set $s (v128.load (i32.add (local.get $a0) (local.get $q))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $v0))))
                  (br_if $singleOne (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 16))) (local.get $lda))))
                (f32.store offset=0 (i32.add (local.get $o) (i32.mul (i32.const 0) (local.get $ldo))) (call $laneSum (local.get $c00)))
                ))))
        ;; four rows of a, or the last rows one by one
        (local.set $i (i32.add (local.get $i) (select (i32.const 4) (i32.const 1) (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))))
        (br_if $rowTiles (i32.lt_u (local.get $i) (local.get $m))))
      (br_if $columnBlocks (i32.lt_u (local.tee $r0 (local.get $r1)) (local.get $n)))))

  ;; The sum of a vector's four lanes, ((l0 + l1) + (l2 + l3)).
  (func $laneSum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; maxPoolGrad.ts, windows that do not overlap and need no padding (stride = window, top = left = 0, every window
  ;; inside the image; c a multiple of 4): each element of x lies in at most one window, so dx is written, not added
  ;; to, and without a scatter. x and dx [batch, inH, inW, c], dy [batch, outH, outW, c]. Per window and four
  ;; channels: the first maximum in scan order (the first element, then any greater one: the rule of maxPoolGrad
  ;; above), then every element of the window gets 0 + (dy where it is that maximum, else 0) — the cpu kernel's
  ;; 0 + dy, so −0 becomes +0 as there. Elements in no window (the last rows or columns) are left as they are.
  (func (export "maxPoolGradDisjoint")
    (param $x i32) (param $dy i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $c i32)
    (param $outH i32) (param $outW i32) (param $fH i32) (param $fW i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $fh i32) (local $fw i32) (local $e i32) (local $g i32)
    (local $stride i32) (local $lineBytes i32) (local $base i32) (local $line i32) (local $p i32) (local $q i32)
    (local $best v128) (local $idx v128) (local $v v128) (local $mask v128) (local $grad v128)
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $lineBytes (i32.mul (local.get $inW) (local.get $stride)))
    (local.set $q (local.get $dy))
    (loop $batches
      (local.set $oh (i32.const 0))
      (loop $ohLoop
        (local.set $ow (i32.const 0))
        (loop $owLoop
          ;; byte offset of the window's first element
          (local.set $base (i32.add
            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (i32.mul (local.get $oh) (local.get $fH))) (local.get $lineBytes))
            (i32.mul (i32.mul (local.get $ow) (local.get $fW)) (local.get $stride))))
          (local.set $g (i32.const 0))
          (loop $groups
            (local.set $best (v128.load (i32.add (local.get $x) (i32.add (local.get $base) (local.get $g)))))
            (local.set $idx (v128.const i32x4 0 0 0 0))
            (local.set $e (i32.const 0))
            (local.set $fh (i32.const 0))
            (loop $scanRows
              (local.set $line (i32.add (i32.add (local.get $base) (local.get $g)) (i32.mul (local.get $fh) (local.get $lineBytes))))
              (local.set $fw (i32.const 0))
              (loop $scanCols
                (if (local.get $e)
                  (then
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $line) (i32.mul (local.get $fw) (local.get $stride))))))
                    (local.set $mask (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                    (local.set $idx (v128.bitselect (i32x4.splat (local.get $e)) (local.get $idx) (local.get $mask)))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br_if $scanCols (i32.lt_u (local.tee $fw (i32.add (local.get $fw) (i32.const 1))) (local.get $fW))))
              (br_if $scanRows (i32.lt_u (local.tee $fh (i32.add (local.get $fh) (i32.const 1))) (local.get $fH))))
            (local.set $grad (v128.load (i32.add (local.get $q) (local.get $g))))
            (local.set $e (i32.const 0))
            (local.set $fh (i32.const 0))
            (loop $writeRows
              (local.set $line (i32.add (i32.add (local.get $base) (local.get $g)) (i32.mul (local.get $fh) (local.get $lineBytes))))
              (local.set $fw (i32.const 0))
              (loop $writeCols
                (v128.store (i32.add (local.get $dx) (i32.add (local.get $line) (i32.mul (local.get $fw) (local.get $stride))))
                  (f32x4.add (v128.const f32x4 0 0 0 0)
                    (v128.and (local.get $grad) (i32x4.eq (local.get $idx) (i32x4.splat (local.get $e))))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br_if $writeCols (i32.lt_u (local.tee $fw (i32.add (local.get $fw) (i32.const 1))) (local.get $fW))))
              (br_if $writeRows (i32.lt_u (local.tee $fh (i32.add (local.get $fh) (i32.const 1))) (local.get $fH))))
            (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 16))) (local.get $stride))))
          (local.set $q (i32.add (local.get $q) (local.get $stride)))
          (br_if $owLoop (i32.lt_u (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $outW))))
        (br_if $ohLoop (i32.lt_u (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $outH))))
      (br_if $batches (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $batch)))))

  ;; conv2dWinograd.ts, matMulUnpacked.ts: out [m, n] (+)= Σ aᵀ·b over images: image i's a is [k, m] (rows lda bytes
  ;; apart) at a + i·aImage and its b [k, n] (row-major) at b + i·bImage; m a multiple of 4, n of 8. Four columns of
  ;; a (adjacent floats, splatted from one row pointer) by eight of b at a time, summed over every image, then added
  ;; to out (accumulate ≠ 0) or stored.
  (func (export "gemmTransposedA")
    (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32) (param $lda i32)
    (param $images i32) (param $aImage i32) (param $bImage i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $img i32) (local $q i32) (local $ldb i32) (local $ap i32) (local $bp i32) (local $o i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $ldb (i32.shl (local.get $n) (i32.const 2)))
    (loop $rowQuads
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0))
        (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0))
        (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $img (i32.const 0))
        (loop $imageLoop
          (local.set $ap (i32.add (i32.add (local.get $a) (i32.mul (local.get $img) (local.get $aImage))) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bp (i32.add (i32.add (local.get $b) (i32.mul (local.get $img) (local.get $bImage))) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $q (i32.const 0))
          (loop $inner
            (local.set $b0 (v128.load (local.get $bp)))
            (local.set $b1 (v128.load offset=16 (local.get $bp)))
            (local.set $s (v128.load32_splat (local.get $ap)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=4 (local.get $ap)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=8 (local.get $ap)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat offset=12 (local.get $ap)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $ap (i32.add (local.get $ap) (local.get $lda)))
            (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
            (br_if $inner (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $k))))
          (br_if $imageLoop (i32.lt_u (local.tee $img (i32.add (local.get $img) (i32.const 1))) (local.get $images))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
        (if (local.get $accumulate)
          (then
            (local.set $c00 (f32x4.add (v128.load (local.get $o)) (local.get $c00)))
            (local.set $c01 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c01)))
            (local.set $c10 (f32x4.add (v128.load (i32.add (local.get $o) (local.get $ldb))) (local.get $c10)))
            (local.set $c11 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (local.get $ldb))) (local.get $c11)))
            (local.set $c20 (f32x4.add (v128.load (i32.add (local.get $o) (i32.shl (local.get $ldb) (i32.const 1)))) (local.get $c20)))
            (local.set $c21 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (i32.shl (local.get $ldb) (i32.const 1)))) (local.get $c21)))
            (local.set $c30 (f32x4.add (v128.load (i32.add (local.get $o) (i32.mul (local.get $ldb) (i32.const 3)))) (local.get $c30)))
            (local.set $c31 (f32x4.add (v128.load offset=16 (i32.add (local.get $o) (i32.mul (local.get $ldb) (i32.const 3)))) (local.get $c31)))))
        (v128.store (local.get $o) (local.get $c00))
        (v128.store offset=16 (local.get $o) (local.get $c01))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (local.get $c10))
        (v128.store offset=16 (local.get $o) (local.get $c11))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (local.get $c20))
        (v128.store offset=16 (local.get $o) (local.get $c21))
        (local.set $o (i32.add (local.get $o) (local.get $ldb)))
        (v128.store (local.get $o) (local.get $c30))
        (v128.store offset=16 (local.get $o) (local.get $c31))
        (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n))))
      (br_if $rowQuads (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $m)))))

  ;; conv2dWinograd.ts: the input side of Winograd's F(4, 5) along rows (and of the filter gradient's F(5, 4)). xp
  ;; [rows, Wp, C] (padded, Wp ≥ 4T + 4, C a multiple of 4); for each row and each tile t of eight columns 4t … 4t + 7,
  ;; d0 … d7 (four channels at a time) become u = Bᵀ·d for the points 0, 1, −1, 2, −2, 1/2, −1/2, ∞:
  ;;   u0 = d0 − d6 + 5.25(d4 − d2)             u7 = d7 − d1 + 5.25(d3 − d5)
  ;;   u1, u2 = (d2 + d6 − 4.25d4) ± (d1 + d5 − 4.25d3)
  ;;   u3, u4 = (0.25d2 − 1.25d4 + d6) ± (0.5d1 − 2.5d3 + 2d5)
  ;;   u5, u6 = (4d2 − 5d4 + d6) ± (2d1 − 2.5d3 + 0.5d5)
  ;; written to eight planes [rows, T, C] (u0's at u, each next planeBytes further).
  (func (export "winogradRowsIn")
    (param $xp i32) (param $u i32) (param $rows i32) (param $Wp i32) (param $C i32) (param $T i32) (param $planeBytes i32)
    (local $r i32) (local $t i32) (local $g i32) (local $src i32) (local $dst i32) (local $pixel i32)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128) (local $d5 v128) (local $d6 v128) (local $d7 v128)
    (local $e v128) (local $o v128)
    (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dst (local.get $u))
    (loop $rowLoop
      (local.set $t (i32.const 0))
      (loop $tiles
        ;; first column of the tile, 4t, in row r
        (local.set $src (i32.add (local.get $xp) (i32.mul
          (i32.add (i32.mul (local.get $r) (local.get $Wp)) (i32.shl (local.get $t) (i32.const 2)))
          (local.get $pixel))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $d0 (v128.load (local.get $src)))
          (local.set $d1 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 1)))))
          (local.set $d2 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 2)))))
          (local.set $d3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 3)))))
          (local.set $d4 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 4)))))
          (local.set $d5 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 5)))))
          (local.set $d6 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 6)))))
          (local.set $d7 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 7)))))
          (v128.store (local.get $dst) (f32x4.add (f32x4.sub (local.get $d0) (local.get $d6)) (f32x4.mul (f32x4.splat (f32.const 5.25)) (f32x4.sub (local.get $d4) (local.get $d2)))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 7))) (f32x4.add (f32x4.sub (local.get $d7) (local.get $d1)) (f32x4.mul (f32x4.splat (f32.const 5.25)) (f32x4.sub (local.get $d3) (local.get $d5)))))
          (local.set $e (f32x4.sub (f32x4.add (local.get $d2) (local.get $d6)) (f32x4.mul (f32x4.splat (f32.const 4.25)) (local.get $d4))))
          (local.set $o (f32x4.sub (f32x4.add (local.get $d1) (local.get $d5)) (f32x4.mul (f32x4.splat (f32.const 4.25)) (local.get $d3))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 1))) (f32x4.add (local.get $e) (local.get $o)))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 2))) (f32x4.sub (local.get $e) (local.get $o)))
          (local.set $e (f32x4.add (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 0.25)) (local.get $d2)) (f32x4.mul (f32x4.splat (f32.const 1.25)) (local.get $d4))) (local.get $d6)))
          (local.set $o (f32x4.add (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $d1)) (f32x4.mul (f32x4.splat (f32.const 2.5)) (local.get $d3))) (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $d5))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 3))) (f32x4.add (local.get $e) (local.get $o)))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 4))) (f32x4.sub (local.get $e) (local.get $o)))
          (local.set $e (f32x4.add (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $d2)) (f32x4.mul (f32x4.splat (f32.const 5)) (local.get $d4))) (local.get $d6)))
          (local.set $o (f32x4.add (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $d1)) (f32x4.mul (f32x4.splat (f32.const 2.5)) (local.get $d3))) (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $d5))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 5))) (f32x4.add (local.get $e) (local.get $o)))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 6))) (f32x4.sub (local.get $e) (local.get $o)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 16))) (local.get $pixel))))
        (br_if $tiles (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))
      (br_if $rowLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; conv2dWinograd.ts: the output side of F(4, 5), y = Aᵀ·m. Eight planes [rows, T, co] of products (m0's at m, each
  ;; next planeBytes further; co a multiple of 4) give y [rows, OW, co]; with s1, s2, s3 = m1 + m2, m3 + m4, m5 + m6 and
  ;; e1, e2, e3 = m1 − m2, m3 − m4, m5 − m6, columns 4t … 4t + 3 of each row (those below OW) are
  ;;   m0 + s1 + s2 + s3,   e1 + 2e2 + 0.5e3,   s1 + 4s2 + 0.25s3,   e1 + 8e2 + 0.125e3 + m7.
  (func (export "winogradRowsOut")
    (param $m i32) (param $y i32) (param $rows i32) (param $OW i32) (param $T i32) (param $co i32) (param $planeBytes i32)
    (local $r i32) (local $t i32) (local $g i32) (local $src i32) (local $dst i32) (local $pixel i32) (local $count i32)
    (local $m0 v128) (local $m7 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $a v128) (local $b v128)
    (local.set $pixel (i32.shl (local.get $co) (i32.const 2)))
    (local.set $src (local.get $m))
    (loop $rowLoop
      (local.set $t (i32.const 0))
      (loop $tiles
        (local.set $dst (i32.add (local.get $y) (i32.mul
          (i32.add (i32.mul (local.get $r) (local.get $OW)) (i32.shl (local.get $t) (i32.const 2)))
          (local.get $pixel))))
        ;; columns of this tile inside the row
        (local.set $count (i32.sub (local.get $OW) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $m0 (v128.load (local.get $src)))
          (local.set $m7 (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 7)))))
          (local.set $a (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 1)))))
          (local.set $b (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 2)))))
          (local.set $s1 (f32x4.add (local.get $a) (local.get $b)))
          (local.set $e1 (f32x4.sub (local.get $a) (local.get $b)))
          (local.set $a (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 3)))))
          (local.set $b (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 4)))))
          (local.set $s2 (f32x4.add (local.get $a) (local.get $b)))
          (local.set $e2 (f32x4.sub (local.get $a) (local.get $b)))
          (local.set $a (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 5)))))
          (local.set $b (v128.load (i32.add (local.get $src) (i32.mul (local.get $planeBytes) (i32.const 6)))))
          (local.set $s3 (f32x4.add (local.get $a) (local.get $b)))
          (local.set $e3 (f32x4.sub (local.get $a) (local.get $b)))
          (v128.store (local.get $dst) (f32x4.add (f32x4.add (f32x4.add (local.get $m0) (local.get $s1)) (local.get $s2)) (local.get $s3)))
          (if (i32.gt_s (local.get $count) (i32.const 1))
            (then (v128.store (i32.add (local.get $dst) (i32.mul (local.get $pixel) (i32.const 1))) (f32x4.add (f32x4.add (local.get $e1) (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $e2))) (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $e3))))))
          (if (i32.gt_s (local.get $count) (i32.const 2))
            (then (v128.store (i32.add (local.get $dst) (i32.mul (local.get $pixel) (i32.const 2))) (f32x4.add (f32x4.add (local.get $s1) (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $s2))) (f32x4.mul (f32x4.splat (f32.const 0.25)) (local.get $s3))))))
          (if (i32.gt_s (local.get $count) (i32.const 3))
            (then (v128.store (i32.add (local.get $dst) (i32.mul (local.get $pixel) (i32.const 3))) (f32x4.add (f32x4.add (f32x4.add (local.get $e1) (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $e2))) (f32x4.mul (f32x4.splat (f32.const 0.125)) (local.get $e3))) (local.get $m7)))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 16))) (local.get $pixel))))
        (br_if $tiles (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))
      (br_if $rowLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; conv2dWinograd.ts: the filter gradient's side of dy in F(5, 4) along rows. dy [rows, OW, co] (co a multiple of
  ;; 4); for each row and each four columns g0 … g3 = dy[4t … 4t + 3] (zero past OW), eight planes [rows, T, co] (the
  ;; first at v, each next planeBytes further) get G·g, the values at the points scaled to match winogradRowsIn's Bᵀ:
  ;;   g0,   −(2/9)((g0 + g2) ± (g1 + g3)),   ((g0 + 4g2) ± (2g1 + 8g3))/90,   (32/45)((g0 + g2/4) ± (g1/2 + g3/8)),   g3.
  (func (export "winogradGradRowsIn")
    (param $dy i32) (param $v i32) (param $rows i32) (param $OW i32) (param $T i32) (param $co i32) (param $planeBytes i32)
    (local $r i32) (local $t i32) (local $g i32) (local $src i32) (local $dst i32) (local $pixel i32) (local $count i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $e v128) (local $o v128)
    (local.set $pixel (i32.shl (local.get $co) (i32.const 2)))
    (local.set $dst (local.get $v))
    (loop $rowLoop
      (local.set $t (i32.const 0))
      (loop $tiles
        (local.set $src (i32.add (local.get $dy) (i32.mul
          (i32.add (i32.mul (local.get $r) (local.get $OW)) (i32.shl (local.get $t) (i32.const 2)))
          (local.get $pixel))))
        (local.set $count (i32.sub (local.get $OW) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $g0 (v128.load (local.get $src)))
          (local.set $g1 (v128.const i32x4 0 0 0 0))
          (local.set $g2 (v128.const i32x4 0 0 0 0))
          (local.set $g3 (v128.const i32x4 0 0 0 0))
          (if (i32.gt_s (local.get $count) (i32.const 1)) (then (local.set $g1 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 1)))))))
          (if (i32.gt_s (local.get $count) (i32.const 2)) (then (local.set $g2 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 2)))))))
          (if (i32.gt_s (local.get $count) (i32.const 3)) (then (local.set $g3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $pixel) (i32.const 3)))))))
          (v128.store (local.get $dst) (local.get $g0))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 7))) (local.get $g3))
          (local.set $e (f32x4.add (local.get $g0) (local.get $g2)))
          (local.set $o (f32x4.add (local.get $g1) (local.get $g3)))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 1))) (f32x4.mul (f32x4.splat (f32.const -0.2222222222222222)) (f32x4.add (local.get $e) (local.get $o))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 2))) (f32x4.mul (f32x4.splat (f32.const -0.2222222222222222)) (f32x4.sub (local.get $e) (local.get $o))))
          (local.set $e (f32x4.add (local.get $g0) (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $g2))))
          (local.set $o (f32x4.add (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $g1)) (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $g3))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 3))) (f32x4.mul (f32x4.splat (f32.const 0.011111111111111112)) (f32x4.add (local.get $e) (local.get $o))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 4))) (f32x4.mul (f32x4.splat (f32.const 0.011111111111111112)) (f32x4.sub (local.get $e) (local.get $o))))
          (local.set $e (f32x4.add (local.get $g0) (f32x4.mul (f32x4.splat (f32.const 0.25)) (local.get $g2))))
          (local.set $o (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $g1)) (f32x4.mul (f32x4.splat (f32.const 0.125)) (local.get $g3))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 5))) (f32x4.mul (f32x4.splat (f32.const 0.7111111111111111)) (f32x4.add (local.get $e) (local.get $o))))
          (v128.store (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.const 6))) (f32x4.mul (f32x4.splat (f32.const 0.7111111111111111)) (f32x4.sub (local.get $e) (local.get $o))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 16))) (local.get $pixel))))
        (br_if $tiles (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $T))))
      (br_if $rowLoop (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; conv2dWinograd.ts: out plane o = Σ_i matrix[o, i] · in plane i, for nIn planes at src (srcStride bytes apart) into
  ;; nOut planes at dst (dstStride bytes apart), each of `floats` floats (a multiple of 4); matrix [nOut, nIn] of f32 at
  ;; a byte offset. The filter's and the filter gradient's transforms (G over five taps, Aᵀ back to five taps).
  (func (export "combinePlanes")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32) (param $floats i32)
    (param $nIn i32) (param $nOut i32) (param $matrix i32)
    (local $g i32) (local $end i32) (local $o i32) (local $i i32) (local $coef i32) (local $from i32) (local $acc v128)
    (local.set $end (i32.shl (local.get $floats) (i32.const 2)))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $coef (local.get $matrix))
        (local.set $o (i32.const 0))
        (loop $outs
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $from (i32.add (local.get $src) (local.get $g)))
          (local.set $i (i32.const 0))
          (loop $ins
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load32_splat (local.get $coef)) (v128.load (local.get $from)))))
            (local.set $coef (i32.add (local.get $coef) (i32.const 4)))
            (local.set $from (i32.add (local.get $from) (local.get $srcStride)))
            (br_if $ins (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $nIn))))
          (v128.store (i32.add (i32.add (local.get $dst) (i32.mul (local.get $o) (local.get $dstStride))) (local.get $g)) (local.get $acc))
          (br_if $outs (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $nOut))))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $groups))))

  ;; addRowVector.ts: out [rows, c] = x [rows, c] + v [c] (a bias added to every row), four floats at a time and the
  ;; row's last c mod 4 one by one.
  (func (export "addRowVector") (param $x i32) (param $v i32) (param $out i32) (param $rows i32) (param $c i32)
    (local $r i32) (local $i i32) (local $vec i32) (local $all i32)
    (local.set $all (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $vecDone
          (loop $vecLoop
            (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vec)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vecLoop)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $all)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.add (f32.load (i32.add (local.get $x) (local.get $i))) (f32.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $tail)))
        (local.set $x (i32.add (local.get $x) (local.get $all)))
        (local.set $out (i32.add (local.get $out) (local.get $all)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
  ;; addRowVector.ts: out [rows, c] = (x [rows, c] + y [rows, c]) + v [c] — two matrices' sum and a bias in one pass,
  ;; rounded as the two Adds it replaces (the sum first, then the bias).
  (func (export "addPairRowVector") (param $x i32) (param $y i32) (param $v i32) (param $out i32) (param $rows i32) (param $c i32)
    (local $r i32) (local $i i32) (local $vec i32) (local $all i32)
    (local.set $all (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $vecDone
          (loop $vecLoop
            (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vec)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add
                (f32x4.add (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i))))
                (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vecLoop)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $all)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.add
                (f32.add (f32.load (i32.add (local.get $x) (local.get $i))) (f32.load (i32.add (local.get $y) (local.get $i))))
                (f32.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $tail)))
        (local.set $x (i32.add (local.get $x) (local.get $all)))
        (local.set $y (i32.add (local.get $y) (local.get $all)))
        (local.set $out (i32.add (local.get $out) (local.get $all)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
  ;; Adam with its state in place (fusedAdam.ts): m and v updated where they lie, the new parameter p + u written
  ;; to po (u as "adam" computes it, the same float32 operations in the same order). p is not overwritten: the
  ;; wasm backend caches XNNPACK operators with a weight's packed copy, keyed by that weight's buffer. A bias correction rounded to 1 skips its
  ;; division (x/1 is x): c1 after ~160 steps of β1 = 0.9, c2 after ~17,000 of β2 = 0.999.
  (func (export "adamInPlace")
    (param $p i32) (param $po i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32) (param $c1 f32) (param $c2 f32) (param $eps f32) (param $scale f32)
    (local $i i32) (local $end i32) (local $all i32) (local $d1 i32) (local $d2 i32)
    (local $B1 v128) (local $K1 v128) (local $B2 v128) (local $K2 v128) (local $C1 v128) (local $C2 v128) (local $E v128) (local $S v128)
    (local $G v128) (local $M v128) (local $V v128) (local $MH v128) (local $VH v128)
    (local $gs f32) (local $ms f32) (local $vs f32) (local $mh f32) (local $vh f32)
    (local.set $d1 (f32.ne (local.get $c1) (f32.const 1)))
    (local.set $d2 (f32.ne (local.get $c2) (f32.const 1)))
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
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $M))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $V))
        (local.set $MH (local.get $M))
        (if (local.get $d1) (then (local.set $MH (f32x4.div (local.get $M) (local.get $C1)))))
        (local.set $VH (local.get $V))
        (if (local.get $d2) (then (local.set $VH (f32x4.div (local.get $V) (local.get $C2)))))
        (v128.store (i32.add (local.get $po) (local.get $i))
          (f32x4.add
            (v128.load (i32.add (local.get $p) (local.get $i)))
            (f32x4.mul
              (f32x4.div (local.get $MH) (f32x4.add (f32x4.sqrt (local.get $VH)) (local.get $E)))
              (local.get $S))))
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
        (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $vs))
        (local.set $mh (local.get $ms))
        (if (local.get $d1) (then (local.set $mh (f32.div (local.get $ms) (local.get $c1)))))
        (local.set $vh (local.get $vs))
        (if (local.get $d2) (then (local.set $vh (f32.div (local.get $vs) (local.get $c2)))))
        (f32.store (i32.add (local.get $po) (local.get $i))
          (f32.add
            (f32.load (i32.add (local.get $p) (local.get $i)))
            (f32.mul
              (f32.div (local.get $mh) (f32.add (f32.sqrt (local.get $vh)) (local.get $eps)))
              (local.get $scale))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; The policy's last hidden layer and its one-unit output layer (policyKernels.ts): out[i] = Σ_j tanh(x[i, j] + b[j])·w[j]
  ;; + bOut[0] for n rows of u units, without writing the hidden layer out. The sum runs over j in order from 0, a
  ;; product then an add each, as XNNPACK's one-column product does, so it gives biasTanh + that product + the bias's
  ;; add bit for bit. Four rows at a time (each lane one row's sum): their four-unit blocks are tanh'd as rows and
  ;; transposed; units past the last block of four, and rows past the last group of four, one at a time.
              (func (export "biasTanhDot") (param $x i32) (param $b i32) (param $w i32) (param $bOut i32) (param $out i32) (param $n i32) (param $u i32)
    (local $i i32) (local $j i32) (local $line i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $vec i32) (local $all i32) (local $groups i32)
    (local $bias v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $lo v128) (local $hi v128) (local $lo2 v128) (local $hi2 v128)
    (local $acc v128) (local $s f32) (local $tx v128) (local $c v128) (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $vec (i32.shl (i32.and (local.get $u) (i32.const -4)) (i32.const 2)))
    (local.set $all (i32.shl (local.get $u) (i32.const 2)))
    (local.set $line (local.get $all))
    (local.set $groups (i32.and (local.get $n) (i32.const -4)))
    (block $groupsDone
      (loop $group
        (br_if $groupsDone (i32.ge_u (local.get $i) (local.get $groups)))
        (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $line))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $line)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $line)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $line)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $blocksDone
          (loop $block
            (br_if $blocksDone (i32.ge_u (local.get $j) (local.get $vec)))
            (local.set $bias (v128.load (i32.add (local.get $b) (local.get $j))))
            ;; Four rows' blocks through $tanh spelled out (calling it per vector took ~60 % longer).
            (local.set $tx (f32x4.add (v128.load (i32.add (local.get $r0) (local.get $j))) (local.get $bias)))
            (local.set $c (f32x4.pmax (f32x4.pmin (local.get $tx) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
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
            (local.set $t0 (v128.bitselect (local.get $tx)
            (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $tx)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
            (local.set $tx (f32x4.add (v128.load (i32.add (local.get $r1) (local.get $j))) (local.get $bias)))
            (local.set $c (f32x4.pmax (f32x4.pmin (local.get $tx) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
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
            (local.set $t1 (v128.bitselect (local.get $tx)
            (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $tx)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
            (local.set $tx (f32x4.add (v128.load (i32.add (local.get $r2) (local.get $j))) (local.get $bias)))
            (local.set $c (f32x4.pmax (f32x4.pmin (local.get $tx) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
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
            (local.set $t2 (v128.bitselect (local.get $tx)
            (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $tx)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
            (local.set $tx (f32x4.add (v128.load (i32.add (local.get $r3) (local.get $j))) (local.get $bias)))
            (local.set $c (f32x4.pmax (f32x4.pmin (local.get $tx) (v128.const f32x4 9 9 9 9)) (v128.const f32x4 -9 -9 -9 -9)))
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
            (local.set $t3 (v128.bitselect (local.get $tx)
            (f32x4.div (f32x4.mul (local.get $p) (local.get $c)) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $tx)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
            ;; 4×4 transpose: lane r of column k is row r's unit j + k.
            (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t0) (local.get $t1)))
            (local.set $hi (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t2) (local.get $t3)))
            (local.set $lo2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t0) (local.get $t1)))
            (local.set $hi2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t2) (local.get $t3)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi))
              (v128.load32_splat (i32.add (local.get $w) (local.get $j))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi))
              (v128.load32_splat (i32.add (local.get $w) (i32.add (local.get $j) (i32.const 4)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo2) (local.get $hi2))
              (v128.load32_splat (i32.add (local.get $w) (i32.add (local.get $j) (i32.const 8)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo2) (local.get $hi2))
              (v128.load32_splat (i32.add (local.get $w) (i32.add (local.get $j) (i32.const 12)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $block)))
        (block $unitsDone
          (loop $unit
            (br_if $unitsDone (i32.ge_u (local.get $j) (local.get $all)))
            (local.set $t0 (f32x4.splat (f32.load (i32.add (local.get $r0) (local.get $j)))))
            (local.set $t0 (f32x4.replace_lane 1 (local.get $t0) (f32.load (i32.add (local.get $r1) (local.get $j)))))
            (local.set $t0 (f32x4.replace_lane 2 (local.get $t0) (f32.load (i32.add (local.get $r2) (local.get $j)))))
            (local.set $t0 (f32x4.replace_lane 3 (local.get $t0) (f32.load (i32.add (local.get $r3) (local.get $j)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (call $tanh (f32x4.add (local.get $t0) (v128.load32_splat (i32.add (local.get $b) (local.get $j)))))
              (v128.load32_splat (i32.add (local.get $w) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $unit)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32x4.add (local.get $acc) (v128.load32_splat (local.get $bOut))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $group)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $line))))
        (local.set $s (f32.const 0))
        (local.set $j (i32.const 0))
        (block $rowUnitsDone
          (loop $rowUnit
            (br_if $rowUnitsDone (i32.ge_u (local.get $j) (local.get $all)))
            (local.set $s (f32.add (local.get $s) (f32.mul
              (f32x4.extract_lane 0 (call $tanh (f32x4.splat (f32.add (f32.load (i32.add (local.get $r0) (local.get $j))) (f32.load (i32.add (local.get $b) (local.get $j)))))))
              (f32.load (i32.add (local.get $w) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $rowUnit)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.add (local.get $s) (f32.load (local.get $bOut))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; tanh.ts: tanh from s = σ(2x), in place over n floats at s: s ← 2s − 1, except where |x| < 2⁻⁵, where
  ;; s ← x − x³/3 + 2x⁵/15 computed in float64 and rounded once — the JavaScript loop it replaces did exactly these
  ;; operations (2s − 1 is exact in float64, so rounding it once to float32 is the float32 subtraction), so the
  ;; result is the same bit for bit. Four floats at a time (the series on two float64 pairs); the last n mod 4 one by one.
  (func (export "tanhFromSigmoid") (param $x i32) (param $s i32) (param $n i32)
    (local $end i32) (local $all i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $w f64) (local $w2 f64)
    (local.set $end (i32.add (local.get $s) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $all (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $s) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        ;; The series on lanes 0–1 and 2–3 as float64 pairs: v·(1 + v²·(−1/3 + v²·(2/15))).
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $lo (f64x2.mul (local.get $lo)
          (f64x2.add (v128.const f64x2 1 1)
            (f64x2.mul (f64x2.mul (local.get $lo) (local.get $lo))
              (f64x2.add (v128.const f64x2 -0.3333333333333333 -0.3333333333333333)
                (f64x2.mul (f64x2.mul (local.get $lo) (local.get $lo)) (v128.const f64x2 0.13333333333333333 0.13333333333333333)))))))
        (local.set $hi (f64x2.mul (local.get $hi)
          (f64x2.add (v128.const f64x2 1 1)
            (f64x2.mul (f64x2.mul (local.get $hi) (local.get $hi))
              (f64x2.add (v128.const f64x2 -0.3333333333333333 -0.3333333333333333)
                (f64x2.mul (f64x2.mul (local.get $hi) (local.get $hi)) (v128.const f64x2 0.13333333333333333 0.13333333333333333)))))))
        (v128.store (local.get $s) (v128.bitselect
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi)))
          (f32x4.sub (f32x4.mul (v128.load (local.get $s)) (v128.const f32x4 2 2 2 2)) (v128.const f32x4 1 1 1 1))
          (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 0.03125 0.03125 0.03125 0.03125))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $s) (local.get $all)))
        (local.set $w (f64.promote_f32 (f32.load (local.get $x))))
        (if (f64.lt (f64.abs (local.get $w)) (f64.const 0.03125))
          (then
            (local.set $w2 (f64.mul (local.get $w) (local.get $w)))
            (f32.store (local.get $s) (f32.demote_f64 (f64.mul (local.get $w)
              (f64.add (f64.const 1) (f64.mul (local.get $w2)
                (f64.add (f64.const -0.3333333333333333) (f64.mul (local.get $w2) (f64.const 0.13333333333333333)))))))))
          (else
            (f32.store (local.get $s) (f32.sub (f32.mul (f32.load (local.get $s)) (f32.const 2)) (f32.const 1)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br $tail))))
)
