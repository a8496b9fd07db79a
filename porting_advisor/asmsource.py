# SPDX-License-Identifier: Apache-2.0
"""Assembly source files: decide the architecture from the content, not the name."""
from __future__ import annotations

import os
import re

from porting_advisor import preproc
from porting_advisor.source import Source

# Evidence, counted on code with comments removed. Each pattern is one vote per match.
# Line starts are `^[ \t]*`, never `^\s*`: in MULTILINE mode `\s*` runs on over the following
# blank lines and back at every line start, quadratic on long blank stretches.
X86_ATT = re.compile(r"%(?:(?:[re]?[abcd]x|[re][sd]i|[re][sb]p|[abcd][lh]|[xyz]mm\d+|k[0-7]|"
                     r"[cdefgs]s|rip)\b|st\(\d\)|st\b)")
# %r8-%r15 are s390x registers too, and 16-bit %sp/%bp/%si/%di are SPARC's %sp and the like:
# counted only next to an x86-only register (the same for Intel syntax below).
X86_ATT_SHARED = re.compile(r"%(?:r(?:[89]|1[0-5])[dwb]?|[sb]p|[sd]i)\b")
# Register names only x86 has; r8-r15 are also POWER, ARM32 and SPARC names (OpenBLAS's POWER
# kernels): they count only next to one of these.
X86_INTEL = re.compile(r"\b(?:rax|rbx|rcx|rdx|rsi|rdi|rsp|rbp|eax|ebx|ecx|edx|esi|edi|esp|ebp|"
                       r"[xyz]mm\d+|rip)\b", re.I)
X86_INTEL_SHARED = re.compile(r"\br(?:[89]|1[0-5])[dwb]?\b", re.I)
# Mnemonics only x86 has (AT&T's suffixed forms, SSE, x87...). `add`, `cmp`, `ret`, `addq`,
# `push`... are SPARC, Alpha, POWER or ARM32 instructions too: X86_GENERIC counts them only in
# a file with other x86 evidence.
X86_MNEMONIC = re.compile(r"^[ \t]*(?:[\w.$]+:[ \t]*)?(?:lock\s+|rep\w*\s+)?"
                          r"(?:movs[lqbwx]|movz[bwlx]+|movabs[q]?|lea[lq]?|"
                          r"(?:mov|test|sal|sar|shl|shr|push|pop|xor|and|or|inc|dec|not|"
                          r"imul)[lqw]|"
                          r"v?p(?:xor|and|or|add[bwdq]|sub[bwdq]|shufb|cmpeq[bwdq]|movmskb|"
                          r"unpck\w+|mulu?dq|alignr|sll[dqw]|srl[dqw])|v?movdq[au]|v?movap[sd]|"
                          r"v?movup[sd]|vzeroupper|cpuid|rdtscp?|xgetbv|"
                          r"cmovn?(?:[abgl]e?|[ceopsz]|pe|po)[wlq]?|bswap[lq]?|cltq|cqto|cdq|"
                          r"endbr64|vfmadd\w+|aesenc\w*|pclmulqdq|emms|fldz|fld1|f(?:add|sub|"
                          r"subr|mul|div|divr)p|fstp[slt]?|fxch|fchs|f[u]?comip|fild[lqs]?|"
                          r"fistp[lqs]?)\b", re.M | re.I)
X86_GENERIC = re.compile(r"^[ \t]*(?:[\w.$]+:[ \t]*)?(?:lock\s+|rep\w*\s+)?"
                         r"(?:mov[lqbw]?|push[lqw]?|pop[lqw]?|call[lq]?|"
                         r"ret[lq]?|jmp[lq]?|j(?:n?[ezcsop]|[abgl]e?|n[abgl]e?)|cmp[lqbw]?|"
                         r"test[lqbw]?|xor[lqbw]?|add[lqbw]?|sub[lqbw]?|imul[lq]?|set[a-z]+|"
                         r"shl[lqbw]?|shr[lqbw]?|sar[lqbw]?|rol[lqbw]?|ror[lqbw]?|"
                         r"inc[lqbw]?|dec[lqbw]?|neg[lqbw]?|not[lqbw]?|crc32[bwlq]?|"
                         r"syscall)\b", re.M | re.I)
NASM = re.compile(r"^[ \t]*(?:bits\s+(?:16|32|64)|section\s+\.text|default\s+rel|%define\b|"
                  r"%macro\b|segment\s+\.text|\.686|\.model\s+flat|_TEXT\s+SEGMENT)", re.M | re.I)
# AArch64 registers and mnemonics, the same way: `sp`, `d0`, `ret`, `blr` (POWER's return),
# `fmul`, `ldr` ... are other ISAs' names too and count only next to an AArch64-only one.
ARM64_VECTOR = re.compile(r"\b(?:v(?:[0-9]|[12][0-9]|3[01])\.(?:16b|8b|8h|4h|4s|2s|2d|1d|1q|"
                          r"b|h|s|d)|z(?:[0-9]|[12][0-9]|3[01])\.[bhsdq]|p(?:[0-9]|1[0-5])/[zm])"
                          r"(?![\w.])")
ARM64_REG = re.compile(r"\b(?:[xw](?:[0-9]|[12][0-9]|30)|[xw]zr)\b")
ARM64_REG_SHARED = re.compile(r"\b(?:sp|[qdsbh](?:[0-9]|[12][0-9]|3[01]))\b")
ARM64_MNEMONIC = re.compile(r"^[ \t]*(?:[\w.$]+:[ \t]*)?(?:ldp|stp|adrp|cbn?z|tbn?z|"
                            r"umov|movk|csel|cset|ubfx|sbfx|ubfiz|bfi|fmla|"
                            r"zip[12]|uzp[12]|trn[12]|addv|uaddlv|aesmc|pmull2?|sha256h2?|"
                            r"crc32c?[bhwx]|whilelo|ptrue|ld1[bhwd]|st1[bhwd])\b", re.M | re.I)
ARM64_GENERIC = re.compile(r"^[ \t]*(?:[\w.$]+:[ \t]*)?(?:ldr[bhw]?|str[bh]?|adr|ld[1-4]r?|"
                           r"st[1-4]|b\.(?:eq|ne|lt|le|gt|ge|hi|lo|hs|ls|mi|pl|cc|cs)|bl|blr|br|ret|"
                           r"ins|dup|ext|eor3?|orr|bic|movz|rev|rbit|clz|fmul|fadd|tbl|tbx|aese|"
                           r"dmb|dsb|isb|yield)\b", re.M)
ARM64_DIRECTIVE = re.compile(r"^[ \t]*\.(?:arch\s+armv[89]|cpu\s+(?:cortex|neoverse|generic)|"
                             r"arch_extension\s+\w+|variant_pcs)", re.M)
OTHER_ARCH = re.compile(r"^[ \t]*(?:\.syntax\s+unified|\.thumb|\.arm\b|\.fpu\s|\.machine\s+(?:ppc|"
                        r"power)|\.abicalls|\.set\s+(?:noreorder|mips)|\.option\s+(?:rvc|"
                        r"norvc|arch)|\.set\s+noat)", re.M)
COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*|^[ \t]*[#;@][^\n]*|;[^\n]*", re.S | re.M)
GLOBAL = re.compile(r"^[ \t]*(?:\.globa?l|\.globl|global|GLOBAL|PUBLIC|public)\s+"
                    r"([A-Za-z_.$][\w.$@]*)"
                    r"|^[ \t]*(?:ENTRY|FUNCTION|SYM_FUNC_START|ASM_ENTRY|DEFINE_FUNCTION|"
                    r"LEAF_ENTRY|NESTED_ENTRY|PROC)\s*\(?\s*([A-Za-z_.$][\w.$]*)", re.M)


NASM_WINDOWS = re.compile(r"^[ \t]*%ifidn[ \t]+__OUTPUT_FORMAT__[ \t]*,[ \t]*win(?:32|64)\b",
                          re.M)
# The architecture shows in the first instructions: classifying 64 KB of a 2 MB generated file
# gives the same answer at a fraction of the cost.
SAMPLE = 64 * 1024


def strip_comments(text: str) -> str:
    return COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def active_code(src: Source) -> tuple[str, tuple[str, ...]]:
    """The file's code without comments and, for a .S file, without the regions the C
    preprocessor does not compile for the target; and the conditions that remain undecided
    around all of that code (BoringSSL wraps each generated file in `#if
    defined(OPENSSL_X86_64) && ...`, a macro another file derives from `__x86_64__`: the
    cross-file pass settles it)."""
    code = strip_comments(src.text)     # line for line: comments and directives blanked
    if not src.file.endswith((".S", ".sx")) or "#" not in src.text:
        return code, ()
    macros = preproc.target_macros(src.options.target, src.options.target_os, "c")
    lay = preproc.layout(src.text, macros)
    if all(s.status == preproc.ACTIVE for s in lay.states):
        return code, ()
    kept = []
    guards = set()
    for i, line in enumerate(code.split("\n"), 1):
        st = lay.at(i)
        if st.status != preproc.INACTIVE and (stripped := line.strip()):
            kept.append(line)
            if not stripped.startswith(".") or stripped.endswith(":"):
                # (an assembler directive outside the guard, zstd's `.section
                # .note.GNU-stack`, is not code the guard must cover)
                guards.add(st.guard if st.status == preproc.GUARDED else ())
    # the undecided conditions around every line of code, outermost first
    guard = tuple(os.path.commonprefix(list(guards))) if guards else ()
    return "\n".join(kept), guard


def classify(code: str) -> tuple[str, str]:
    """('x86'|'arm64'|'other'|'', syntax) for comment-free assembly text.

    Votes come from names only one architecture has (x86 registers; AArch64 vector
    registers, mnemonics and directives). Names several ISAs share (`add`, `ret`, `%r12`,
    `sp`, `x1` as a macro name in MIPS code) add to a side's count only when that side has
    such evidence already: OpenBLAS's POWER, SPARC, s390x, MIPS and Alpha kernels are
    neither x86 nor Arm64."""
    att = len(X86_ATT.findall(code))
    arm_core = len(ARM64_VECTOR.findall(code)) + len(ARM64_MNEMONIC.findall(code)) + 5 * len(
        ARM64_DIRECTIVE.findall(code))
    arm_regs = len(ARM64_REG.findall(code)) if arm_core else 0
    if att >= 20 and not arm_regs and not OTHER_ARCH.search(code):
        return "x86", "AT&T"       # unmistakable: the slower mnemonic scans add nothing
    intel = len(X86_INTEL.findall(code)) + 3 * len(NASM.findall(code))
    x86 = att + intel + len(X86_MNEMONIC.findall(code))
    if x86:
        att += len(X86_ATT_SHARED.findall(code))
        intel += len(X86_INTEL_SHARED.findall(code))
        x86 = att + intel + len(X86_MNEMONIC.findall(code)) + len(X86_GENERIC.findall(code))
    arm = 0
    if arm_core:
        arm = (arm_core + arm_regs + len(ARM64_REG_SHARED.findall(code))
               + len(ARM64_GENERIC.findall(code)))
    other = len(OTHER_ARCH.findall(code))
    if other and other * 5 >= x86:
        return "other", ""
    if x86 >= 3 and x86 > 2 * arm:
        return "x86", ("AT&T" if att >= intel else "Intel")
    if arm >= 3 and arm > 2 * x86:
        return "arm64", ""
    return "", ""


def scan(src: Source) -> None:
    """Record the file's architecture; the cross-file pass decides whether to report it."""
    from porting_advisor import golang
    if golang.is_go_asm(src.text):
        golang.scan_asm(src)   # Go assembly: the Go package pass decides (one finding, never two)
        return
    if src.options.target_os == "linux" and NASM_WINDOWS.search(src.text[:4096]):
        return     # NASM for Windows object formats only: never assembled for Linux
    code, guard = active_code(src)
    arch, syntax = classify(code[:SAMPLE])
    if not arch:
        return
    src.facts.append(("asm-arch", arch))
    if arch == "x86":
        symbols = sorted({a or b for a, b in GLOBAL.findall(src.text)})
        src.facts.append(("asm-syntax", syntax))
        src.facts.append(("asm-symbols", " ".join(symbols)))
        if guard:
            src.facts.append(("asm-guard", "\x1f".join(guard)))
