# SPDX-License-Identifier: Apache-2.0
"""Assembly source files: decide the architecture from the content, not the name."""

from __future__ import annotations

import collections
import itertools
import os
import re

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import Arch, AsmFile, AsmInclude
from porting_advisor.core.source import Source
from porting_advisor.scanners.c import preproc, units

# Evidence, counted on code with comments removed. Each pattern is one vote per match.
# A line start is a `\n` matched in "\n" + code, not `^` in MULTILINE mode: sre skips ahead to
# a pattern's first character only when it has one (two to four times faster on large files).
# Then `[ \t]*`, never `\s*`, which runs on over the following blank lines and back at every
# line start, quadratic on long blank stretches.
X86_ATT = lazy_re.compile(
    r"%(?:(?:[re]?[abcd]x|[re][sd]i|[re][sb]p|[abcd][lh]|[xyz]mm\d+|k[0-7]|"
    r"[cdefgs]s|rip)\b|st\(\d\)|st\b)"
)
# %r8-%r15 are s390x registers too, and 16-bit %sp/%bp/%si/%di are SPARC's %sp and the like:
# counted only next to an x86-only register (the same for Intel syntax below).
X86_ATT_SHARED = lazy_re.compile(r"%(?:r(?:[89]|1[0-5])[dwb]?|[sb]p|[sd]i)\b")
# Register names, counted from one pass over the lowercased words of the code: only x86 has
# these; r8-r15 are also POWER, ARM32 and SPARC names (OpenBLAS's POWER kernels) and count
# only next to one of them.
X86_REGS = frozenset(
    {
        "rax",
        "rbx",
        "rcx",
        "rdx",
        "rsi",
        "rdi",
        "rsp",
        "rbp",
        "eax",
        "ebx",
        "ecx",
        "edx",
        "esi",
        "edi",
        "esp",
        "ebp",
        "rip",
    }
    | {f"{k}mm{i}" for k in "xyz" for i in range(32)}
)
X86_REGS_SHARED = frozenset(f"r{i}{s}" for i in range(8, 16) for s in ("", "d", "w", "b"))
# AArch64's general registers; `sp`, `d0`, `s1` ... are other ISAs' names too.
ARM64_REGS = frozenset({f"{k}{i}" for k in "xw" for i in range(31)} | {"xzr", "wzr"})
ARM64_REGS_SHARED = frozenset({"sp"} | {f"{k}{i}" for k in "qdsbh" for i in range(32)})
WORD = lazy_re.compile(r"[a-z_][a-z0-9_]*")
# Each line's mnemonic, found in one pass and classified once per distinct name.
LINE_OP = lazy_re.compile(r"\n[ \t]*(?:[\w.$]+:[ \t]*)?([A-Za-z_][\w.]*)")
# Mnemonics only x86 has (AT&T's suffixed forms, SSE, x87...). `add`, `cmp`, `ret`, `addq`,
# `push`... are SPARC, Alpha, POWER or ARM32 instructions too: X86_GENERIC counts them only in
# a file with other x86 evidence. (Both are matched against the lowercased mnemonic.)
X86_MNEMONIC = lazy_re.compile(
    r"lock|rep\w*|movs[lqbwx]|movz[bwlx]+|movabs[q]?|lea[lq]?|"
    r"(?:mov|test|sal|sar|shl|shr|push|pop|xor|and|or|inc|dec|not|"
    r"imul)[lqw]|"
    r"v?p(?:xor|and|or|add[bwdq]|sub[bwdq]|shufb|cmpeq[bwdq]|movmskb|"
    r"unpck\w+|mulu?dq|alignr|sll[dqw]|srl[dqw])|v?movdq[au]|v?movap[sd]|"
    r"v?movup[sd]|vzeroupper|cpuid|rdtscp?|xgetbv|"
    r"cmovn?(?:[abgl]e?|[ceopsz]|pe|po)[wlq]?|bswap[lq]?|cltq|cqto|cdq|"
    r"endbr64|vfmadd\w+|aesenc\w*|pclmulqdq|emms|fldz|fld1|f(?:add|sub|"
    r"subr|mul|div|divr)p|fstp[slt]?|fxch|fchs|f[u]?comip|fild[lqs]?|"
    r"fistp[lqs]?"
)
X86_GENERIC = lazy_re.compile(
    r"mov[lqbw]?|push[lqw]?|pop[lqw]?|call[lq]?|"
    r"ret[lq]?|jmp[lq]?|j(?:n?[ezcsop]|[abgl]e?|n[abgl]e?)|cmp[lqbw]?|"
    r"test[lqbw]?|xor[lqbw]?|add[lqbw]?|sub[lqbw]?|imul[lq]?|set[a-z]+|"
    r"shl[lqbw]?|shr[lqbw]?|sar[lqbw]?|rol[lqbw]?|ror[lqbw]?|"
    r"inc[lqbw]?|dec[lqbw]?|neg[lqbw]?|not[lqbw]?|crc32[bwlq]?|syscall"
)
NASM = lazy_re.compile(
    r"\n[ \t]*(?:bits\s+(?:16|32|64)|section\s+\.text|default\s+rel|%define\b|"
    r"%macro\b|segment\s+\.text|\.686|\.model\s+flat|_text\s+segment)"
)
# AArch64 registers and mnemonics, the same way: `sp`, `d0`, `ret`, `blr` (POWER's return),
# `fmul`, `ldr` ... are other ISAs' names too and count only next to an AArch64-only one.
# (each branch starts with its letter and looks back for the word start, so that sre skips
# ahead to a v, z or p: a leading `\b` made it try every position)
ARM64_VECTOR = lazy_re.compile(
    r"(?:v(?<!\wv)(?:[0-9]|[12][0-9]|3[01])\.(?:16b|8b|8h|4h|4s|2s|2d|1d|1q|"
    r"b|h|s|d)|z(?<!\wz)(?:[0-9]|[12][0-9]|3[01])\.[bhsdq]|p(?<!\wp)(?:[0-9]|1[0-5])/[zm])"
    r"(?![\w.])"
)
ARM64_MNEMONIC = lazy_re.compile(
    r"ldp|stp|adrp|cbn?z|tbn?z|umov|movk|csel|cset|ubfx|sbfx|ubfiz|bfi|"
    r"fmla|zip[12]|uzp[12]|trn[12]|addv|uaddlv|aesmc|pmull2?|"
    r"sha256h2?|crc32c?[bhwx]|whilelo|ptrue|ld1[bhwd]|st1[bhwd]"
)
ARM64_GENERIC = lazy_re.compile(
    r"ldr[bhw]?|str[bh]?|adr|ld[1-4]r?|st[1-4]|"
    r"b\.(?:eq|ne|lt|le|gt|ge|hi|lo|hs|ls|mi|pl|cc|cs)|bl|blr|br|ret|"
    r"ins|dup|ext|eor3?|orr|bic|movz|rev|rbit|clz|fmul|fadd|tbl|tbx|aese|"
    r"dmb|dsb|isb|yield"
)  # (case-sensitive: FMUL is a macro)
ARM64_DIRECTIVE = lazy_re.compile(
    r"\n[ \t]*\.(?:arch\s+armv[89]|cpu\s+(?:cortex|neoverse|generic)|"
    r"arch_extension\s+\w+|variant_pcs)"
)
OTHER_ARCH = lazy_re.compile(
    r"\n[ \t]*(?:\.syntax\s+unified|\.thumb|\.arm\b|\.fpu(?=\s)|\.machine\s+(?:ppc|"
    r"power)|\.abicalls|\.set\s+(?:noreorder|mips)|\.option\s+(?:rvc|"
    r"norvc|arch)|\.set\s+noat)"
)
OTHER_HINTS = (".syntax", ".thumb", ".arm", ".fpu", ".machine", ".abicalls", ".set", ".option")
COMMENTS = lazy_re.compile(r"/\*.*?\*/|//[^\n]*|\n[ \t]*[#;@][^\n]*|;[^\n]*", re.S)
# A symbol a file defines for others. Not a macro's name around it (`global HIDDEN_DATA(sym(
# x))` defines x), not one NASM pastes to more (`global current_function %+ %1`: unknown
# here), and the entry macros as whole words (not `PROCESS_4x2x4`, a macro of its own).
GLOBAL = lazy_re.compile(
    r"\n[ \t]*(?:\.globa?l|\.globl|global|GLOBAL|PUBLIC|public)\s+"
    r"(?:[A-Za-z_]\w*[ \t]*\([ \t]*)*([A-Za-z_.$][\w.$@]*)(?![\w.$@]|[ \t]*%\+)"
    r"|\n[ \t]*(?:ENTRY|FUNCTION|SYM_FUNC_START|ASM_ENTRY|DEFINE_FUNCTION|"
    r"LEAF_ENTRY|NESTED_ENTRY|PROC)(?![\w.$])\s*\(?\s*([A-Za-z_.$][\w.$]*)"
)


def defined_symbols(text: str) -> tuple[str, ...]:
    """The symbols an assembly file defines for others (see GLOBAL), sorted."""
    return tuple(sorted({a or b for a, b in GLOBAL.findall("\n" + text)}))


NASM_WINDOWS = lazy_re.compile(
    r"^[ \t]*%ifidn[ \t]+__OUTPUT_FORMAT__[ \t]*,[ \t]*win(?:32|64)\b", re.M
)


def nasm_windows_only(text: str) -> bool:
    """Is the code of a NASM file inside its `%ifidn __OUTPUT_FORMAT__, win64` block?
    BoringSSL's generated *-win.asm files are (their `%else` holds one `ret`, a NASM bug's
    work-around); ISA-L's kernels choose argument registers there and have their code after
    it, for every object format. Directive lines are found by one regex and code lines
    counted by another: the files are large."""
    m = NASM_WINDOWS.search(text, 0, 4096) if "__OUTPUT_FORMAT__" in text[:4096] else None
    if m is None:
        return False
    outside = [(0, m.start())]  # spans of text outside the Windows branch
    depth, open_at = 0, -1
    for d in NASM_BRANCH.finditer(text, m.start()):
        word = d.group(1)
        if word == "if":
            depth += 1
        elif word == "endif":
            depth -= 1
            if depth == 0:
                if open_at >= 0:
                    outside.append((open_at, d.start()))
                outside.append((d.end(), len(text)))
                break
        elif depth == 1 and open_at < 0:  # %else / %elif of the Windows test
            open_at = d.end()
    else:
        if open_at >= 0:
            outside.append((open_at, len(text)))
    out = sum(len(NASM_CODE.findall(text, a, b)) for a, b in outside)
    if out > 3:
        return False
    # more code inside than 2x outside (counted only that far: the files are large)
    lines = NASM_CODE.finditer(text, m.end())
    return sum(1 for _ in itertools.islice(lines, 3 * out + 1)) > 3 * out


NASM_BRANCH = lazy_re.compile(r"^[ \t]*%(if|endif|else|elif)", re.M)
NASM_CODE = lazy_re.compile(r"^[ \t]*[^;%\s]", re.M)  # an instruction, label or data line
# The architecture shows in the first instructions: the head of a large generated file gives
# the same answer as the whole of it.
SAMPLE = 64 * 1024
CODE_LINE = lazy_re.compile(r"^[ \t]*(?:[^.\s]|\.\S*:)", re.M)  # not only a directive
BLANK_LINES = lazy_re.compile(r"\n[ \t]*(?=\n)")


def strip_comments(text: str) -> str:
    """The text with comments blanked, line for line (and lines that hold only one)."""
    return COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), "\n" + text)[1:]


def active_code(src: Source) -> tuple[str, tuple[str, ...], preproc.Layout | None]:
    """The file's code without comments and, for a .S file, without the regions the C
    preprocessor does not compile for the target; and the conditions that remain undecided
    around all of that code (BoringSSL wraps each generated file in `#if
    defined(OPENSSL_X86_64) && ...`, a macro another file derives from `__x86_64__`: the
    cross-file pass settles it); and the preprocessor's layout of a .S file."""
    code = strip_comments(src.text)  # line for line: comments and directives blanked
    if not src.file.endswith((".S", ".sx")) or "#" not in src.text:
        return code, (), None
    lay = preproc.layout(src.text, units.file_macros(src.options, src.file, "c"))
    if all(s.status == preproc.ACTIVE for s in lay.states):
        return code, (), lay
    kept = []
    guards = set()
    lines = code.split("\n")
    bounds = [*lay.starts, len(lines) + 1]  # (the first region starts at line 1)
    for k, st in enumerate(lay.states):  # region by region, not line by line
        if st.status == preproc.INACTIVE:
            continue
        region = "\n".join(lines[bounds[k] - 1 : bounds[k + 1] - 1])
        if not region.strip():
            continue
        kept.append(region)
        # (an assembler directive outside the guard, zstd's `.section .note.GNU-stack`, is
        # not code the guard must cover: only lines that are not directives count)
        if CODE_LINE.search(region):
            guards.add(st.guard if st.status == preproc.GUARDED else ())
    # the undecided conditions around every line of code, outermost first
    guard = tuple(os.path.commonprefix(list(guards))) if guards else ()
    return BLANK_LINES.sub("", "\n".join(kept)), guard, lay


def register_votes(low: str) -> tuple[int, int, int, int]:
    """(x86-only, x86-shared, AArch64, AArch64-shared) register names in lowercased code."""
    x86 = x86_shared = arm = arm_shared = 0
    for word, n in collections.Counter(WORD.findall(low)).items():
        if word in X86_REGS:
            x86 += n
        elif word in X86_REGS_SHARED:
            x86_shared += n
        elif word in ARM64_REGS:
            arm += n
        elif word in ARM64_REGS_SHARED:
            arm_shared += n
    return x86, x86_shared, arm, arm_shared


def mnemonic_votes(code: str) -> tuple[int, int, int, int]:
    """(x86-only, x86-shared, AArch64-only, AArch64-shared) mnemonic counts; `code` starts
    with a newline."""
    x86 = x86_generic = arm = arm_generic = 0
    for op, n in collections.Counter(LINE_OP.findall(code)).items():
        kind = MNEMONIC_KINDS.get(op)
        if kind is None:
            kind = mnemonic_kind(op)
        if kind & 1:
            x86 += n
        elif kind & 2:
            x86_generic += n
        if kind & 4:
            arm += n
        elif kind & 8:
            arm_generic += n
    return x86, x86_generic, arm, arm_generic


# mnemonic -> its kinds as bits (x86-only 1, x86-shared 2, AArch64-only 4, AArch64-shared 8):
# the same few hundred names recur in every file of a tree
MNEMONIC_KINDS: dict[str, int] = {}


def mnemonic_kind(op: str) -> int:
    low = op.lower()
    kind = 1 if X86_MNEMONIC.fullmatch(low) else 2 if X86_GENERIC.fullmatch(low) else 0
    kind |= 4 if ARM64_MNEMONIC.fullmatch(low) else 8 if ARM64_GENERIC.fullmatch(op) else 0
    if len(MNEMONIC_KINDS) < 50_000:  # (bounded: a hostile file has any number of names)
        MNEMONIC_KINDS[op] = kind
    return kind


def classify(code: str) -> tuple[str, str]:
    """('x86'|'arm64'|'other'|'', syntax) for comment-free assembly text.

    Votes come from names only one architecture has (x86 registers; AArch64 vector
    registers, mnemonics and directives). Names several ISAs share (`add`, `ret`, `%r12`,
    `sp`, `x1` as a macro name in MIPS code) add to a side's count only when that side has
    such evidence already: OpenBLAS's POWER, SPARC, s390x, MIPS and Alpha kernels are
    neither x86 nor Arm64."""
    code = "\n" + code  # (line starts are matched as newlines)
    att = len(X86_ATT.findall(code))
    x86_ops, x86_generic, arm_ops, arm_generic = mnemonic_votes(code)
    arm_core = arm_ops
    if ".arch" in code or ".cpu" in code or ".variant_pcs" in code:
        arm_core += 5 * len(ARM64_DIRECTIVE.findall(code))
    other_hint = any(hint in code for hint in OTHER_HINTS)
    if att >= 20 and not arm_core and not (other_hint and OTHER_ARCH.search(code)):
        return "x86", "AT&T"  # unmistakable: the register and directive scans add nothing
    low = code.lower()
    regs = register_votes(low)
    if arm_core or regs[2]:
        arm_core += len(ARM64_VECTOR.findall(code))
    intel = regs[0] + 3 * len(NASM.findall(low))
    x86 = att + intel + x86_ops
    if x86:
        att += len(X86_ATT_SHARED.findall(code))
        intel += regs[1]
        x86 = att + intel + x86_ops + x86_generic
    arm = 0
    if arm_core:
        arm = arm_core + regs[2] + regs[3] + arm_generic
    other = len(OTHER_ARCH.findall(code)) if other_hint else 0
    if other and other * 5 >= x86:
        return "other", ""
    if x86 >= 3 and x86 > 2 * arm:
        return "x86", ("AT&T" if att >= intel else "Intel")
    if arm >= 3 and arm > 2 * x86:
        return "arm64", ""
    return "", ""


ASM_INCLUDE = lazy_re.compile(r"\n[ \t]*(?:%include|\.include)[ \t]+[\"<]([^\">\n]+)[\">]")


def scan(src: Source) -> None:
    """Record the file's architecture; the cross-file pass decides whether to report it."""
    from porting_advisor.scanners.go import scan as golang

    if golang.is_go_asm(src.text):
        golang.scan_asm(src)  # Go assembly: the Go package pass decides (one finding, never two)
        return
    if src.options.target_os == "linux" and nasm_windows_only(src.text):
        return  # NASM for Windows object formats only: never assembled for Linux
    code, guard, lay = active_code(src)
    if lay is not None:
        from porting_advisor.scanners.c import records

        # (libsodium's sandy2x.S defines the IN_SANDY2X its included kernels test)
        records.record_defined_names(src)
    if lay is not None and 'include "' in src.text:
        # its #includes join the C files' include graph (libsodium's sandy2x.S includes the
        # kernels that test its IN_SANDY2X, all under HAVE_AVX_ASM)
        from porting_advisor.scanners.c import scan as cfamily

        cfamily.record_includes(src, lay)
    if "%include" in src.text or ".include" in src.text:
        # files this one pulls in with the assembler's own include (NASM `%include "x.asm"`,
        # GNU as `.include "x.s"`): they are part of it, not programs of their own
        for name in ASM_INCLUDE.findall("\n" + src.text):
            src.facts.append(AsmInclude(name))
    arch, syntax = classify(code[:SAMPLE])
    if not arch:
        return
    if arch == "x86":
        src.facts.append(AsmFile(Arch.X86, syntax, defined_symbols(src.text), guard))
    elif arch == "arm64":
        # (an aarch64 twin of an x86 file's symbols: the whole-files pass looks them up)
        src.facts.append(AsmFile(Arch.ARM64, "", defined_symbols(src.text), ()))
    else:
        src.facts.append(AsmFile(Arch(arch), "", (), ()))
