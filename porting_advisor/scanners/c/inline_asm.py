# SPDX-License-Identifier: Apache-2.0
"""Inline assembly in C/C++: take out the template text and tell x86 from Arm instructions."""

from __future__ import annotations

from porting_advisor.core import lazy_re

QUALIFIERS = lazy_re.compile(r"\s*(?:volatile|__volatile__|__volatile|goto|inline|__inline)\b")
STRING = lazy_re.compile(r"\"([^\"\\\n]*(?:\\.[^\"\\\n]*)*)\"")
WORD = lazy_re.compile(r"[A-Za-z_]\w*")

X86_ONLY = frozenset(
    {
        "rdtsc",
        "rdtscp",
        "cpuid",
        "pause",
        "lock",
        "mfence",
        "lfence",
        "sfence",
        "bswap",
        "bswapl",
        "bswapq",
        "xgetbv",
        "xsetbv",
        "xchg",
        "xchgl",
        "xchgq",
        "xchgb",
        "xchgw",
        "cmpxchg",
        "cmpxchgl",
        "cmpxchgq",
        "cmpxchg8b",
        "cmpxchg16b",
        "xadd",
        "xaddl",
        "xaddq",
        "xaddw",
        "movl",
        "movq",
        "movb",
        "movw",
        "movabs",
        "movabsq",
        "movzbl",
        "movzwl",
        "movsbl",
        "movswl",
        "movslq",
        "addl",
        "addq",
        "subl",
        "subq",
        "imull",
        "imulq",
        "mull",
        "mulq",
        "divl",
        "divq",
        "idivl",
        "idivq",
        "bsf",
        "bsfl",
        "bsfq",
        "bsr",
        "bsrl",
        "bsrq",
        "popcnt",
        "popcntl",
        "popcntq",
        "lzcnt",
        "lzcntl",
        "lzcntq",
        "tzcnt",
        "tzcntl",
        "tzcntq",
        "int",
        "int3",
        "hlt",
        "rdrand",
        "rdseed",
        "prefetcht0",
        "prefetcht1",
        "prefetcht2",
        "prefetchnta",
        "prefetchw",
        "clflush",
        "clflushopt",
        "clwb",
        "crc32l",
        "crc32q",
        "leal",
        "leaq",
        "pushl",
        "pushq",
        "popl",
        "popq",
        "pushf",
        "pushfq",
        "pushfl",
        "popf",
        "popfq",
        "popfl",
        "rep",
        "repe",
        "repne",
        "repz",
        "repnz",
        "movsb",
        "movsw",
        "movsd",
        "movsq",
        "stosb",
        "stosw",
        "stosd",
        "stosq",
        "cld",
        "sete",
        "setne",
        "setc",
        "setb",
        "seta",
        "setz",
        "setnz",
        "adcl",
        "adcq",
        "adc",
        "sbb",
        "sbbl",
        "sbbq",
        "shld",
        "shrd",
        "shldl",
        "shrdl",
        "roll",
        "rorl",
        "rolq",
        "rorq",
        "rolw",
        "rorw",
        "btl",
        "btq",
        "bts",
        "btsl",
        "btsq",
        "btr",
        "btrl",
        "btrq",
        "btc",
        "cmovz",
        "cmovnz",
        "cmove",
        "cmovne",
        "vzeroupper",
        "vzeroall",
        "ldmxcsr",
        "stmxcsr",
        "fldcw",
        "fnstcw",
        "fstcw",
        "fninit",
        "fldl",
        "fldt",
        "fstp",
        "fstpl",
        "fstpt",
        "fistp",
        "fistpl",
        "fnstsw",
        "fwait",
        "emms",
        "ud2",
        "syscall",
        "sysenter",
        "rdpmc",
        "rdmsr",
        "wrmsr",
        "xbegin",
        "xend",
        "xabort",
        "xtest",
        "pxor",
        "movdqa",
        "movdqu",
        "movaps",
        "movups",
        "pshufb",
        "pcmpeqb",
        "pmovmskb",
        "wbinvd",
        "invlpg",
        "monitor",
        "mwait",
        "rdfsbase",
        "wrfsbase",
        "rdgsbase",
        "wrgsbase",
        "cli",
        "sti",
        "inb",
        "outb",
        "inw",
        "outw",
        "inl",
        "outl",
        "testl",
        "testq",
        "testb",
        "cmpl",
        "cmpq",
        "cmpb",
        "cmpw",
        "andl",
        "andq",
        "orl",
        "orq",
        "xorl",
        "xorq",
        "notl",
        "notq",
        "negl",
        "negq",
        "incl",
        "incq",
        "decl",
        "decq",
        "shll",
        "shlq",
        "shrl",
        "shrq",
        "sarl",
        "sarq",
        "jmpq",
        "callq",
        "retq",
        "leave",
        "enter",
        "cltq",
        "cqto",
        "cltd",
        "cwtl",
        "cdq",
        "cqo",
        "endbr64",
        "endbr32",
        "serialize",
        "clui",
        "stui",
        "umonitor",
        "umwait",
        "tpause",
        "xsave",
        "xrstor",
        "xsaveopt",
        "fxsave",
        "fxrstor",
        "vpxor",
        "vmovdqu",
        "vmovdqa",
        "vmovups",
        "vmovaps",
        "vpaddd",
        "vpshufb",
        "vfmadd231ps",
        "vfmadd231pd",
        "kmovw",
        "kmovq",
    }
)
ARM_ONLY = frozenset(
    {
        "yield",
        "dmb",
        "dsb",
        "isb",
        "mrs",
        "msr",
        "ldxr",
        "stxr",
        "ldaxr",
        "stlxr",
        "ldxp",
        "stxp",
        "ldaxp",
        "stlxp",
        "ldar",
        "stlr",
        "ldarb",
        "stlrb",
        "ldapr",
        "ldp",
        "stp",
        "ldrb",
        "strb",
        "ldrh",
        "strh",
        "ldr",
        "str",
        "ldur",
        "stur",
        "ldrsw",
        "cas",
        "casa",
        "casl",
        "casal",
        "casb",
        "swp",
        "swpa",
        "swpl",
        "swpal",
        "ldadd",
        "ldadda",
        "ldaddl",
        "ldaddal",
        "ldclr",
        "ldclral",
        "ldset",
        "ldsetal",
        "ldeor",
        "ldeoral",
        "stadd",
        "stclr",
        "stset",
        "rbit",
        "rev",
        "rev16",
        "rev32",
        "clz",
        "cls",
        "crc32b",
        "crc32h",
        "crc32w",
        "crc32x",
        "crc32cb",
        "crc32ch",
        "crc32cw",
        "crc32cx",
        "wfe",
        "wfi",
        "sev",
        "sevl",
        "hint",
        "prfm",
        "dc",
        "ic",
        "tlbi",
        "svc",
        "hvc",
        "smc",
        "brk",
        "adrp",
        "cbz",
        "cbnz",
        "tbz",
        "tbnz",
        "bl",
        "blr",
        "br",
        "csel",
        "csinc",
        "cset",
        "cinc",
        "madd",
        "msub",
        "umulh",
        "smulh",
        "udiv",
        "sdiv",
        "ubfx",
        "sbfx",
        "bfi",
        "bfxil",
        "ubfiz",
        "movk",
        "movz",
        "movn",
        "eor",
        "orr",
        "bic",
        "orn",
        "mvn",
        "ld1",
        "st1",
        "ld1r",
        "ld2",
        "st2",
        "ld3",
        "st3",
        "ld4",
        "st4",
        "tbl",
        "tbx",
        "uzp1",
        "uzp2",
        "zip1",
        "zip2",
        "trn1",
        "trn2",
        "addv",
        "uaddlv",
        "umaxv",
        "uminv",
        "cnt",
        "fmla",
        "fmls",
        "fmul",
        "fadd",
        "aese",
        "aesd",
        "aesmc",
        "aesimc",
        "pmull",
        "pmull2",
        "sha1h",
        "sha256h",
        "sha256h2",
        "sha512h",
        "eor3",
        "rax1",
        "xar",
        "bcax",
        "mrs_s",
        "autiasp",
        "paciasp",
        "bti",
        "esb",
        "csdb",
        "ssbb",
        "pssbb",
        "sb",
    }
)
X86_REG = lazy_re.compile(
    r"%%?(?:[re]?[abcd]x|[re]?[sd]i|[re]?[sb]p|r(?:[89]|1[0-5])[dwb]?|"
    r"[abcd][lh]|[xyz]mm\d+|k[0-7]|[cdefgs]s|rip|st(?:\(\d\))?)\b|"
    r"\b(?:eax|ebx|ecx|edx|esi|edi|rax|rbx|rcx|rdx|rsi|rdi|rsp|rbp)\b"
)
# (one \b before one group of the bare names: a \b before each is slower)
ARM_REG = lazy_re.compile(
    r"%[wxqdsbhv]\d+|%[wxqdsbh]\[|\b(?:[xw](?:[0-9]|[12][0-9]|30|zr)|v\d+\.\d*[bhsd]|"
    r"cntvct_el0|cntfrq_el0|tpidr_el0|fpcr|fpsr|midr_el1|id_aa64\w+)\b"
)

# (mnemonics, what the asm does, the case of the rule's finding_suggestion that says what
# to use instead: rules/c.rules.yaml)
DESCRIPTIONS = (
    (
        frozenset({"rdtsc", "rdtscp"}),
        "reads the time-stamp counter",
        "timestamp-counter",
    ),
    (
        frozenset({"cpuid"}),
        "CPUID feature query",
        "cpuid",
    ),
    (
        frozenset({"xgetbv", "xsetbv"}),
        "XGETBV: OS support for AVX state",
        "xgetbv",
    ),
    (
        frozenset({"pause"}),
        "spin-wait pause",
        "pause",
    ),
    (
        frozenset(
            {
                "lock",
                "xchg",
                "xchgl",
                "xchgq",
                "cmpxchg",
                "cmpxchgl",
                "cmpxchgq",
                "cmpxchg8b",
                "cmpxchg16b",
                "xadd",
                "xaddl",
                "xaddq",
            }
        ),
        "lock-prefixed atomic",
        "atomic",
    ),
    (
        frozenset({"mfence", "lfence", "sfence"}),
        "memory fence",
        "fence",
    ),
    (
        frozenset({"bswap", "bswapl", "bswapq"}),
        "byte swap",
        "byte-swap",
    ),
    (
        frozenset({"bsf", "bsfl", "bsfq", "bsr", "bsrl", "bsrq", "lzcnt", "tzcnt", "popcnt"}),
        "bit scan/count",
        "bit-count",
    ),
)


def extract(text: str, pos: int, keyword: str) -> tuple[str, str] | None:
    """('gnu'|'msvc', template text) for the asm statement after `keyword`, else None."""
    m = QUALIFIERS.match(text, pos)
    while m and m.end() > pos:
        pos = m.end()
        m = QUALIFIERS.match(text, pos)
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos >= len(text):
        return None
    ch = text[pos]
    if ch == "(":
        return "gnu", gnu_template(text, pos)
    if keyword == "asm":
        return None
    if ch == "{":
        end = text.find("}", pos)
        return "msvc", text[pos + 1 : end if end > 0 else pos + 2000]
    if ch.isalpha() and keyword in ("__asm", "_asm"):
        end = text.find("\n", pos)
        return "msvc", text[pos : end if end > 0 else len(text)]
    return None


# what gnu_template stops at: a quote, a parenthesis, a colon or a word (the loop jumps
# from one to the next instead of walking every character)
ASM_TOKEN = lazy_re.compile(r"[\"():]|[A-Za-z_]\w*")


def gnu_template(text: str, open_pos: int) -> str:
    """The instruction text: string literals (and macro names) before the first ':'."""
    parts: list[str] = []
    depth = 0
    i = open_pos
    limit = min(len(text), open_pos + 20000)
    while (m := ASM_TOKEN.search(text, i, limit)) is not None:
        i = m.start()
        token = m.group()
        if token == '"':
            s = STRING.match(text, i)
            if s:
                parts.append(s.group(1).replace("\\n", "\n").replace("\\t", "\t"))
                i = s.end()
                continue
        elif token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                break
        elif token == ":":
            if depth == 1 and text[i : i + 2] != "::":
                break
        else:  # a word: a macro name in the template, or code in a nested expression
            if depth == 1:
                parts.append(f"\n{token}\n")
            i = m.end()
            continue
        i += 1
    return "".join(parts)


STATEMENT_END = lazy_re.compile(r"[\n;]")
LABEL = lazy_re.compile(r"\w+:")


def mnemonics(template: str) -> list[str]:
    """The first word of each statement (and the one after a lock/rep prefix), lower-cased."""
    out = []
    for stmt in STATEMENT_END.split(template):
        stmt = stmt.strip()
        if not stmt or stmt.startswith((".", "#", "//")) or stmt.endswith(":"):
            continue
        if LABEL.match(stmt):
            stmt = stmt.split(":", 1)[-1]
        first = WORD.search(stmt)
        if first is not None:
            op = first.group().lower()
            out.append(op)
            if op in ("lock", "rep", "repe", "repne") and (nxt := WORD.search(stmt, first.end())):
                out.append(nxt.group().lower())
    return out


def classify(template: str) -> str:
    """'x86', 'arm' or '' (empty barrier, directives only, or not recognisable)."""
    ops = mnemonics(template)
    x86 = sum(op in X86_ONLY for op in ops) + len(X86_REG.findall(template))
    arm = sum(op in ARM_ONLY for op in ops) + len(ARM_REG.findall(template))
    if x86 and not arm:
        return "x86"
    if arm and not x86:
        return "arm"
    if x86 and arm:
        return "x86" if x86 > 2 * arm else "arm" if arm > 2 * x86 else ""
    return ""


def explain(template: str) -> tuple[str, str]:
    """(what the asm does, its advice case); ('', 'other') when not recognised."""
    ops = set(mnemonics(template))
    for names, what, case in DESCRIPTIONS:
        if ops & names:
            return what, case
    return "", "other"


def describe(template: str) -> str:
    return explain(template)[0]


# GNU asm flag outputs (`"=@ccz"(zero)`): AArch64 GCC knows only its own condition codes and
# rejects the x86 ones ("unknown asm flag output")
FLAG_OUTPUT = lazy_re.compile(r'"[=+]@cc(\w+)"')
ARM_CONDITIONS = frozenset(
    ["eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"]
)


def x86_flag_outputs(text: str, open_pos: int) -> list[str]:
    """The x86-only flag-output constraints (`=@ccz`) of the GNU asm statement whose '(' is
    at `open_pos`."""
    end = text.find(";", open_pos, open_pos + 20000)
    body = text[open_pos : end if end > 0 else open_pos + 20000]
    if "@cc" not in body:
        return []
    return [
        m.group(0).strip('"')
        for m in FLAG_OUTPUT.finditer(body)
        if m.group(1) not in ARM_CONDITIONS
    ]
