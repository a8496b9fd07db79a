/* CRC32C step, x86-64 (SSE4.2). The Arm64 version is crc_aarch64.S. */
    .text
    .globl  engine_crc_step
engine_crc_step:
    movl    %edi, %eax
    crc32q  %rsi, %rax
    ret
