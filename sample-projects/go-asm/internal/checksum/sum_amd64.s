#include "textflag.h"

// func sum(p []byte) uint32
TEXT ·sum(SB), NOSPLIT, $0-28
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	XORL AX, AX
loop:
	TESTQ CX, CX
	JZ   done
	MOVBLZX (SI), DX
	ADDL DX, AX
	INCQ SI
	DECQ CX
	JMP  loop
done:
	MOVL AX, ret+24(FP)
	RET
