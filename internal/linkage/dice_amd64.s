#include "textflag.h"

// func andCounts16AVX512(q, rows *uint64, n int, out *int32)
TEXT ·andCounts16AVX512(SB), NOSPLIT, $0-32
	MOVQ q+0(FP), AX
	MOVQ rows+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ out+24(FP), DI
	VMOVDQU64 (AX), Z0
	VMOVDQU64 64(AX), Z1
	TESTQ CX, CX
	JZ done16

loop16:
	VPANDQ (SI), Z0, Z2
	VPANDQ 64(SI), Z1, Z3
	VPOPCNTQ Z2, Z2
	VPOPCNTQ Z3, Z3
	VPADDQ Z2, Z3, Z2
	VEXTRACTI64X4 $1, Z2, Y3
	VPADDQ Y2, Y3, Y2
	VEXTRACTI128 $1, Y2, X3
	VPADDQ X2, X3, X2
	VPSHUFD $0x4e, X2, X3
	VPADDQ X2, X3, X2
	VMOVQ X2, BX
	MOVL BX, (DI)
	ADDQ $128, SI
	ADDQ $4, DI
	DECQ CX
	JNZ loop16

done16:
	VZEROUPPER
	RET

// func andCountsAVX512(q, rows *uint64, words, n int, out *int32)
TEXT ·andCountsAVX512(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), AX
	MOVQ rows+8(FP), SI
	MOVQ words+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DI
	SHRQ $3, DX             // 512-bit chunks per row
	TESTQ CX, CX
	JZ done
	TESTQ DX, DX
	JZ done

row:
	VPXORQ Z4, Z4, Z4
	MOVQ AX, R8
	MOVQ DX, R9

chunk:
	VMOVDQU64 (R8), Z2
	VPANDQ (SI), Z2, Z2
	VPOPCNTQ Z2, Z2
	VPADDQ Z2, Z4, Z4
	ADDQ $64, R8
	ADDQ $64, SI
	DECQ R9
	JNZ chunk

	VEXTRACTI64X4 $1, Z4, Y3
	VPADDQ Y4, Y3, Y4
	VEXTRACTI128 $1, Y4, X3
	VPADDQ X4, X3, X4
	VPSHUFD $0x4e, X4, X3
	VPADDQ X4, X3, X4
	VMOVQ X4, BX
	MOVL BX, (DI)
	ADDQ $4, DI
	DECQ CX
	JNZ row

done:
	VZEROUPPER
	RET

// func andCountsAbove16AVX512(q, rows *uint64, n, minc int, out *int32) int
//
// Writes to out the indices j < n of the rows whose popcount(q AND row)
// is at least minc, and returns how many there are. out must hold n.
TEXT ·andCountsAbove16AVX512(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), AX
	MOVQ rows+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ minc+24(FP), R10
	MOVQ out+32(FP), DI
	XORQ R11, R11
	XORQ R12, R12
	VMOVDQU64 (AX), Z0
	VMOVDQU64 64(AX), Z1
	TESTQ CX, CX
	JZ doneA

loopA:
	VPANDQ (SI), Z0, Z2
	VPANDQ 64(SI), Z1, Z3
	VPOPCNTQ Z2, Z2
	VPOPCNTQ Z3, Z3
	VPADDQ Z2, Z3, Z2
	VEXTRACTI64X4 $1, Z2, Y3
	VPADDQ Y2, Y3, Y2
	VEXTRACTI128 $1, Y2, X3
	VPADDQ X2, X3, X2
	VPSHUFD $0x4e, X2, X3
	VPADDQ X2, X3, X2
	VMOVQ X2, BX
	MOVL R12, (DI)(R11*4)
	CMPQ BX, R10
	SBBQ R13, R13           // -1 when the count is below minc
	INCQ R11
	ADDQ R13, R11
	INCQ R12
	ADDQ $128, SI
	CMPQ R12, CX
	JB loopA

doneA:
	VZEROUPPER
	MOVQ R11, ret+40(FP)
	RET
