;; Cosine scores of one 4-query panel against item panels, with f32x4 SIMD.
;; Panels interleave 4 rows: value (row r, dim t) of panel p sits at
;; ((p · dims + t) · 4 + r) · 4 bytes, so one v128 load reads dim t of 4 items.
;; For query row r and item panel p, out[r · stride + 4p .. 4p + 3] gets the
;; four dot products (rows are L2-normalised beforehand, so these are cosines).
(module
  (memory (export "memory") 1)
  (func (export "panel_scores")
    (param $q i32)        ;; byte offset of the query panel
    (param $x i32)        ;; byte offset of item panel 0
    (param $out i32)      ;; byte offset of the 4 × stride f32 output rows
    (param $panels i32)   ;; item panels
    (param $dims i32)
    (param $stride i32)   ;; output row length in floats (4 · panels)
    (local $p i32) (local $t i32) (local $qp i32) (local $xp i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $xv v128) (local $qv v128) (local $o i32)
    (loop $panel
      (local.set $a0 (v128.const f32x4 0 0 0 0))
      (local.set $a1 (v128.const f32x4 0 0 0 0))
      (local.set $a2 (v128.const f32x4 0 0 0 0))
      (local.set $a3 (v128.const f32x4 0 0 0 0))
      (local.set $qp (local.get $q))
      (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $p) (i32.mul (local.get $dims) (i32.const 16)))))
      (local.set $t (i32.const 0))
      (loop $dim
        (local.set $xv (v128.load (local.get $xp)))
        (local.set $qv (v128.load (local.get $qp)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $qv) (local.get $qv)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $qv) (local.get $qv)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xv) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $qv) (local.get $qv)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xv) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $qv) (local.get $qv)))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
        (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br_if $dim (i32.lt_u (local.get $t) (local.get $dims))))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $p) (i32.const 16))))
      (v128.store (local.get $o) (local.get $a0))
      (v128.store (i32.add (local.get $o) (i32.mul (local.get $stride) (i32.const 4))) (local.get $a1))
      (v128.store (i32.add (local.get $o) (i32.mul (local.get $stride) (i32.const 8))) (local.get $a2))
      (v128.store (i32.add (local.get $o) (i32.mul (local.get $stride) (i32.const 12))) (local.get $a3))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $panel (i32.lt_u (local.get $p) (local.get $panels))))))
