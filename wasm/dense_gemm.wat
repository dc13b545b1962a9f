;; Dense-layer matrix products with f32x4 SIMD in 4 × 8 register blocks: four
;; rows of C by eight columns (two v128 per row, eight accumulators) per pass
;; over the shared dimension k, summed in float32 in order of t.
;;
;; Both functions compute C[i, j] = init[i, j] + Σ_t A'[i, t] · B[t, j] for
;; i < m and j < n, m a multiple of 4 and n of 8 (callers pad). Offsets are in
;; bytes; strides and sizes in floats.
;;   gemm_nn  A' = A, A m × k: the dense forward pass, and ∂L/∂X = dZ · Wᵀ
;;   gemm_tn  A' = Aᵀ, A k × m: ∂L/∂W = Xᵀ · dZ
;; B is k × n with row stride ldb, C m × n with row stride ldc ≥ n. init has
;; row stride initStride: 0 broadcasts one row (the bias, or zeros); init = c
;; with initStride = ldc accumulates into C (blocking over k).
;; Rows and columns beyond the caller's real sizes read padding or neighbouring
;; values; their results land only in padding of C, which the caller drops.
;; The caller keeps 32 bytes readable after every operand.
(module
  (memory (export "memory") 1)

  ;; C = A · B + init, with A m × k (row stride lda). Per step t: four splat
  ;; loads of A[i … i+3, t].
  (func (export "gemm_nn")
    (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
    (param $init i32) (param $initStride i32) (param $c i32) (param $ldc i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $t i32)
    (local $pa i32) (local $pb i32) (local $pi i32) (local $pc i32)
    (local $lda4 i32) (local $lda8 i32) (local $lda12 i32) (local $ldb4 i32)
    (local $init1 i32) (local $init2 i32) (local $init3 i32)
    (local $ldc1 i32) (local $ldc2 i32) (local $ldc3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128)
    (local.set $lda4 (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $lda8 (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $lda12 (i32.mul (local.get $lda) (i32.const 12)))
    (local.set $ldb4 (i32.shl (local.get $ldb) (i32.const 2)))
    ;; byte offsets of rows 1, 2, 3 of a block in init and in C
    (local.set $init1 (i32.shl (local.get $initStride) (i32.const 2)))
    (local.set $init2 (i32.shl (local.get $initStride) (i32.const 3)))
    (local.set $init3 (i32.mul (local.get $initStride) (i32.const 12)))
    (local.set $ldc1 (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $ldc2 (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $ldc3 (i32.mul (local.get $ldc) (i32.const 12)))
    (block $empty
      (br_if $empty (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n))))
      (loop $rows
        (local.set $j (i32.const 0))
        (loop $cols
          ;; accumulators start from init rows i … i+3, columns j … j+7
          (local.set $pi (i32.add (local.get $init) (i32.shl
            (i32.add (i32.mul (local.get $i) (local.get $initStride)) (local.get $j)) (i32.const 2))))
          (local.set $c00 (v128.load (local.get $pi)))
          (local.set $c01 (v128.load offset=16 (local.get $pi)))
          (local.set $c10 (v128.load (i32.add (local.get $pi) (local.get $init1))))
          (local.set $c11 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init1))))
          (local.set $c20 (v128.load (i32.add (local.get $pi) (local.get $init2))))
          (local.set $c21 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init2))))
          (local.set $c30 (v128.load (i32.add (local.get $pi) (local.get $init3))))
          (local.set $c31 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init3))))
          (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda4))))
          (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $t (local.get $k))
          (block $noDepth
            (br_if $noDepth (i32.eqz (local.get $t)))
            (loop $depth
              (local.set $a0 (v128.load32_splat (local.get $pa)))
              (local.set $a1 (v128.load32_splat (i32.add (local.get $pa) (local.get $lda4))))
              (local.set $a2 (v128.load32_splat (i32.add (local.get $pa) (local.get $lda8))))
              (local.set $a3 (v128.load32_splat (i32.add (local.get $pa) (local.get $lda12))))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb4)))
              (local.set $t (i32.sub (local.get $t) (i32.const 1)))
              (br_if $depth (local.get $t))))
          (local.set $pc (i32.add (local.get $c) (i32.shl
            (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))
          (v128.store (local.get $pc) (local.get $c00))
          (v128.store offset=16 (local.get $pc) (local.get $c01))
          (v128.store (i32.add (local.get $pc) (local.get $ldc1)) (local.get $c10))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc1)) (local.get $c11))
          (v128.store (i32.add (local.get $pc) (local.get $ldc2)) (local.get $c20))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc2)) (local.get $c21))
          (v128.store (i32.add (local.get $pc) (local.get $ldc3)) (local.get $c30))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc3)) (local.get $c31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $m))))))

  ;; C = Aᵀ · B + init, with A k × m (row stride lda): row i of Aᵀ is column i
  ;; of A. Per step t: one v128 load of A[t, i … i+3], split into four splats.
  (func (export "gemm_tn")
    (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
    (param $init i32) (param $initStride i32) (param $c i32) (param $ldc i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $t i32)
    (local $pa i32) (local $pb i32) (local $pi i32) (local $pc i32)
    (local $lda4 i32) (local $ldb4 i32)
    (local $init1 i32) (local $init2 i32) (local $init3 i32)
    (local $ldc1 i32) (local $ldc2 i32) (local $ldc3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $av v128) (local $b0 v128) (local $b1 v128)
    (local.set $lda4 (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb4 (i32.shl (local.get $ldb) (i32.const 2)))
    ;; byte offsets of rows 1, 2, 3 of a block in init and in C
    (local.set $init1 (i32.shl (local.get $initStride) (i32.const 2)))
    (local.set $init2 (i32.shl (local.get $initStride) (i32.const 3)))
    (local.set $init3 (i32.mul (local.get $initStride) (i32.const 12)))
    (local.set $ldc1 (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $ldc2 (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $ldc3 (i32.mul (local.get $ldc) (i32.const 12)))
    (block $empty
      (br_if $empty (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n))))
      (loop $rows
        (local.set $j (i32.const 0))
        (loop $cols
          ;; accumulators start from init rows i … i+3, columns j … j+7
          (local.set $pi (i32.add (local.get $init) (i32.shl
            (i32.add (i32.mul (local.get $i) (local.get $initStride)) (local.get $j)) (i32.const 2))))
          (local.set $c00 (v128.load (local.get $pi)))
          (local.set $c01 (v128.load offset=16 (local.get $pi)))
          (local.set $c10 (v128.load (i32.add (local.get $pi) (local.get $init1))))
          (local.set $c11 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init1))))
          (local.set $c20 (v128.load (i32.add (local.get $pi) (local.get $init2))))
          (local.set $c21 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init2))))
          (local.set $c30 (v128.load (i32.add (local.get $pi) (local.get $init3))))
          (local.set $c31 (v128.load offset=16 (i32.add (local.get $pi) (local.get $init3))))
          (local.set $pa (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $t (local.get $k))
          (block $noDepth
            (br_if $noDepth (i32.eqz (local.get $t)))
            (loop $depth
              (local.set $av (v128.load (local.get $pa)))
              (local.set $a0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $av) (local.get $av)))
              (local.set $a1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $av) (local.get $av)))
              (local.set $a2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $av) (local.get $av)))
              (local.set $a3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $av) (local.get $av)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $lda4)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb4)))
              (local.set $t (i32.sub (local.get $t) (i32.const 1)))
              (br_if $depth (local.get $t))))
          (local.set $pc (i32.add (local.get $c) (i32.shl
            (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))
          (v128.store (local.get $pc) (local.get $c00))
          (v128.store offset=16 (local.get $pc) (local.get $c01))
          (v128.store (i32.add (local.get $pc) (local.get $ldc1)) (local.get $c10))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc1)) (local.get $c11))
          (v128.store (i32.add (local.get $pc) (local.get $ldc2)) (local.get $c20))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc2)) (local.get $c21))
          (v128.store (i32.add (local.get $pc) (local.get $ldc3)) (local.get $c30))
          (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc3)) (local.get $c31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $m)))))))
