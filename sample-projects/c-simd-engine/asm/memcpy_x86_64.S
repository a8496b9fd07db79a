/* Fast copy for large blocks using non-temporal stores (x86-64, System V ABI). */
    .text
    .p2align 4
    .globl  engine_memcpy_nt
    .type   engine_memcpy_nt, @function
engine_memcpy_nt:
    movq    %rdi, %rax
    movq    %rdx, %rcx
    shrq    $4, %rcx
    jz      2f
1:  movdqu  (%rsi), %xmm0
    movntdq %xmm0, (%rdi)
    addq    $16, %rsi
    addq    $16, %rdi
    decq    %rcx
    jnz     1b
2:  sfence
    ret
    .size   engine_memcpy_nt, .-engine_memcpy_nt
