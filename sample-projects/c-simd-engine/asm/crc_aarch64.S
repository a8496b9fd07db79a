/* CRC32C step, AArch64 (CRC extension). */
    .text
    .globl  engine_crc_step
engine_crc_step:
    crc32cx w0, w0, x1
    ret
