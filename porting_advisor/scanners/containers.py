# SPDX-License-Identifier: Apache-2.0
"""Dockerfiles, compose files, CI workflows and shell scripts pinned to x86."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from porting_advisor.core import lazy_re
from porting_advisor.core.facts import BaseImage, CiArm
from porting_advisor.core.source import Source
from porting_advisor.scanners.build import ARM_PATH, PATHS, macros
from porting_advisor.scanners.build.conditions import ARCH_SUBJECT as BUILD_ARCH_SUBJECT

if TYPE_CHECKING:
    # (imported where a CI or compose file is read: it loads PyYAML, which Dockerfiles and
    # shell scripts, also scanned here, do not need)
    from porting_advisor.scanners import cijobs

COMMENT = lazy_re.compile(r"(?:^|\s)#.*$")
PLATFORM = lazy_re.compile(
    r"(?:--platform[= ]|platform:\s*|DOCKER_DEFAULT_PLATFORM=)[\"']?"
    r"([\w/.,${}-]+)"
)
FROM = lazy_re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.I)
IMAGE_KEY = lazy_re.compile(r"^\s*-?\s*image:\s*[\"']?([^\s\"']+)")
X86_IMAGE = lazy_re.compile(
    r"^(?:[\w.-]+/)?(?:amd64|x86_64|i386|i686)/|[:_-](?:amd64|x86_64|x86-64)"
    r"(?:$|[-_.])"
)
URL = lazy_re.compile(r"https?://[^\s\"'<>)]+")
X86_URL = lazy_re.compile(
    r"(?i)(?:x86[_-]64|amd64|linux-?x64|linux64|win64|win-x64|i[3-6]86|"
    r"[-_.]x64[-_.])"
)
DOWNLOAD = lazy_re.compile(r"\b(?:curl|wget|ADD|Invoke-WebRequest|iwr|aria2c|fetch)\b")
ARCH_VAR = lazy_re.compile(
    r"TARGETARCH|BUILDARCH|TARGETPLATFORM|uname\s+-m|\$\(arch\)|`arch`|"
    r"print-architecture|\$\{?ARCH\b|\$\{?arch\b|matrix\.arch|HOSTTYPE|"
    r"\$\{?MACHINE\b|\$\{?CPU\b|runner\.arch"
)
INSTALL = lazy_re.compile(
    r"\b(?:apt-get|apt|yum|dnf|microdnf|zypper|apk|rpm|dpkg|choco)\b.*?"
    r"\b(?:install|add|in|-i|-U|-ivh)\b"
)
# (package name, case of the rule's finding_suggestion: rules/containers.rules.yaml)
PACKAGES = (
    (re.compile(r"^[\w.+-]+:(?:amd64|i386)$"), "arch-suffix"),
    (
        re.compile(
            r"^(?:libc6-i386|libc6-dev-i386|gcc-multilib|g\+\+-multilib|lib32[\w.+-]+|"
            r"libx32[\w.+-]+|ia32-libs)$"
        ),
        "x86-32",
    ),
    (
        re.compile(
            r"^(?:intel-mkl[\w.-]*|libmkl[\w.-]*|intel-oneapi[\w.-]*|intel-ipp[\w.-]*|"
            r"intel-openmp)$"
        ),
        "intel-libraries",
    ),
    (
        re.compile(r"^\S+(?:\.x86_64\.rpm|_amd64\.deb|\.i686\.rpm|_i386\.deb)$"),
        "package-file",
    ),
)
# Any sign that a CI configuration we do not read as jobs (CircleCI, Cirrus, Travis, Drone...)
# builds or tests on Arm64.
CI_ARM = lazy_re.compile(
    r"(?i)arm_container|arm64|aarch64|graviton|resource_class:\s*arm\.|ubuntu-\d\d\.\d\d-arm"
)
# An architecture tested against an x86 value in a shell `if`/`[ ]`, and a `case` on one.
ARCH_SUBJECT = (
    r"(?:\$\{?(?:TARGETPLATFORM|TARGETARCH|BUILDARCH|BUILDPLATFORM|ARCH|arch|HOSTTYPE|"
    r"MACHINE|CPU|MACHTYPE)\}?|\$\(\s*(?:uname\s+-m|arch|dpkg\s+--print-architecture)\s*\)|"
    r"`\s*(?:uname\s+-m|arch|dpkg\s+--print-architecture)\s*`)"
)
X86_VALUE = r"(?:linux/)?(?:amd64|x86_64|x86-64|x64)"
X86_TEST = lazy_re.compile(
    rf"[\"']?{ARCH_SUBJECT}[\"']?\s*==?\s*[\"']?{X86_VALUE}[\"']?(?![\w/-])|"
    rf"[\"']?{X86_VALUE}[\"']?\s*==?\s*[\"']?{ARCH_SUBJECT}[\"']?"
)
ARCH_CASE = lazy_re.compile(rf"\bcase\s+[\"']?{ARCH_SUBJECT}[\"']?\s+in\b")
SHELL_WORD = lazy_re.compile(r"(?<![\w$./-])(if|then|elif|else|fi|case|esac)(?![\w-])")
ARM_WORDS = lazy_re.compile(r"(?i)arm64|aarch64|\barm\b|armv8")
FETCH = lazy_re.compile(
    r"\b(?:curl|wget|ADD|aria2c|pip3?\s+install|gem\s+install|npm\s+(?:i|install))\b"
)
# `-Dnative.classifier=linux-x86_64`, `os.detected.classifier: linux-x86_64`, a Maven
# coordinate's classifier `group:artifact:1.0:linux-x86_64`.
CLASSIFIER = lazy_re.compile(
    r"(?i)(?:classifier[\"']?\s*[=:]\s*[\"']?|(?<![\w/])[\w.-]+:[\w.-]+:[\w.${}-]+:)"
    r"((?:linux|osx|macos|windows)[-_](?:x86_64|x86-64|amd64|x64))(?![\w-])"
)
# An aarch64 cross compiler in an image: an x86-hosted build of Arm64 artifacts.
CROSS = lazy_re.compile(
    r"aarch64-linux-gnu-|gcc-aarch64-linux-gnu|g\+\+-aarch64-linux-gnu|"
    r"crossbuild-essential-arm64|aarch64-linux-musl|aarch64-unknown-linux-gnu"
)
X64_HOST = "x86-32 support on an x64 CI runner: that job's host, not an Arm64 build"
OTHER_OS = lazy_re.compile(r"(?i)darwin|osx|macos|windows|win(?:32|64)|win-x64|\.(?:exe|msi|dmg)\b")
MINGW = lazy_re.compile(r"^(?:x86_64|i[3-6]86)-w64-mingw32")


@dataclass(slots=True)
class Context:
    """What a file's structure says about its lines: the CI job around each, the prose
    lines of YAML, the Dockerfile stages that cross-build for Arm64, locally built images."""

    jobs: list[cijobs.Job] = field(default_factory=list)
    prose: set[int] = field(default_factory=set)
    cross: list[tuple[int, int]] = field(default_factory=list)  # line spans
    built: set[str] = field(default_factory=set)  # compose images a `build:` produces
    branch_lines: set[int] = field(default_factory=set)  # inside an architecture branch
    # a CI configuration not read as jobs (Travis, CircleCI, AppVeyor...) with no sign of
    # Arm64: its jobs run on the service's default x64 machines
    default_x64: bool = False

    def job(self, line: int) -> cijobs.Job | None:
        return next((j for j in self.jobs if j.first <= line <= j.last), None)

    def in_cross(self, line: int) -> bool:
        return any(a <= line <= b for a, b in self.cross)


def is_ci_workflow(path: str) -> bool:
    return "/.github/workflows/" in f"/{path}"


def is_gitlab(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == ".gitlab-ci.yml"


def is_jenkins(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith("Jenkinsfile")


def multiarch(image: str) -> str:
    out = re.sub(r"^(?:[\w.-]+/)?(?:amd64|x86_64|i386|i686)/", "", image)
    return re.sub(r"[-_](?:amd64|x86_64|x86-64)(?=$|[-_.])", "", out)


WORDS = ("amd64", "x86", "x64", "86", "platform", "multilib", "mkl", "oneapi", "lib32", "i386")
# What every match of `check_line` holds, in any case (AMD64, win64, libx32, ia32-libs,
# intel-ipp): a line with none of these is not checked
LINE_WORDS = ("86", "64", "32", "platform", "PLATFORM", "multilib", "mkl", "oneapi", "intel-")

ARG = lazy_re.compile(r"^\s*ARG\s+(\w+)(?:=(\S*))?", re.I)
FROM_LINE = lazy_re.compile(r"^\s*FROM\s+((?:--\w+=\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?", re.I)
VARIABLE = lazy_re.compile(r"\$(?:\{(\w+)(?::?-([^}]*))?\}|(\w+))")


def base_images(text: str) -> list[tuple[int, str]]:
    """The `FROM` images of a Dockerfile built for the target, as (line, image): global ARG
    defaults substituted; `scratch`, earlier stage names, `--platform=$BUILDPLATFORM` stages
    and images still naming an unset variable left out."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    out: list[tuple[int, str]] = []
    seen_from = False
    for no, raw in enumerate(text.split("\n"), 1):
        a = ARG.match(raw)
        if a and not seen_from:  # only ARGs before the first FROM apply to FROM lines
            args[a.group(1)] = (a.group(2) or "").strip("\"'")
            continue
        m = FROM_LINE.match(raw)
        if m is None:
            continue
        seen_from = True
        flags, image, alias = m.groups()
        if alias:
            stages.add(alias.lower())
        if "BUILDPLATFORM" in flags:
            continue  # runs on the build machine, whatever the target

        def value(v: re.Match[str]) -> str:
            found = args.get(v.group(1) or v.group(3)) or v.group(2)
            return found if found else v.group(0)  # unset: stays, and the image is left out

        image = VARIABLE.sub(value, image).strip("\"'")
        if image and "$" not in image and image.lower() not in stages | {"scratch"}:
            out.append((no, image))
    return out


def scan(src: Source) -> None:
    """Check a Dockerfile, compose file, CI config or shell script."""
    text = src.text
    if src.language in ("ci", "docker"):
        macros.record_flags(src)  # (a build with `-DNAME` in CFLAGS turns that switch on)
    if src.language == "docker" and "FROM" in text.upper():
        src.facts.extend(BaseImage(line, image) for line, image in base_images(text))
    if src.language != "ci" and not any(w in text for w in WORDS):
        return
    lines = text.split("\n")
    logical: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 1
    for no, raw in enumerate(lines, 1):
        line = COMMENT.sub("", raw) if "#" in raw else raw
        if not pending:
            start = no
        if line.rstrip().endswith(("\\", "`")) and src.language in ("docker", "shell"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        logical.append((start, " ".join(pending)))
        pending = []
    ctx = context(src, logical)
    if src.language == "ci":
        check_jobs(src, ctx, logical)
        if not any(w in text for w in WORDS):
            return
    for first, line in logical:
        if first not in ctx.prose and any(w in line for w in LINE_WORDS):
            check_line(src, ctx, first, line)
    if src.language in ("docker", "shell"):
        check_branches(src, ctx, logical)


def context(src: Source, logical: list[tuple[int, str]]) -> Context:
    ctx = Context()
    if src.language in ("ci", "compose") or is_jenkins(src.file):
        from porting_advisor.scanners import cijobs
    if src.language in ("ci", "compose") and not is_jenkins(src.file):
        root = cijobs.compose(src.text)
        ctx.prose = cijobs.text_lines(root)
        if is_ci_workflow(src.file):
            ctx.jobs = cijobs.github_jobs(root)
        elif is_gitlab(src.file):
            ctx.jobs = cijobs.gitlab_jobs(root)
        elif src.language == "compose":
            for _, service in cijobs.items(cijobs.get(root, "services")):
                image = cijobs.get(service, "image")
                if cijobs.get(service, "build") is not None and image is not None:
                    ctx.built.add(str(cijobs.plain(image)))
    elif is_jenkins(src.file):
        ctx.jobs = cijobs.jenkins_jobs(src.text)
    if src.language == "ci" and not (is_ci_workflow(src.file) or is_gitlab(src.file)):
        ctx.default_x64 = not is_jenkins(src.file) and not any(
            CI_ARM.search(line) for _, line in logical
        )
    if src.language == "docker":
        stages = [first for first, line in logical if FROM.match(line)] or [1]
        ends = [*(s - 1 for s in stages[1:]), len(src.text.split("\n"))]
        for a, b in zip(stages, ends, strict=True):
            if any(a <= first <= b and CROSS.search(line) for first, line in logical):
                ctx.cross.append((a, b))
    if src.language == "shell":
        code = "\n".join(line for _, line in logical_lines(src.text))
        for _, _, a, b in branches(code):
            ctx.branch_lines.update(range(code.count("\n", 0, a) + 1, code.count("\n", 0, b) + 2))
    return ctx


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Physical lines with comments blanked (shell scripts, where a branch spans lines)."""
    return [
        (no, COMMENT.sub("", raw) if "#" in raw else raw)
        for no, raw in enumerate(text.split("\n"), 1)
    ]


def where(src: Source, first: int, token: str) -> tuple[int, int]:
    """Physical (line, column) of `token` in the logical line starting at `first`."""
    for no in range(first, first + 200):
        col = src.line_text(no).find(token)
        if col >= 0:
            return no, col + 1
        if not src.line_text(no).rstrip().endswith(("\\", "`")):
            break
    return first, 1


def add(src: Source, rule: str, first: int, found: str, reason: str = "", **params: str) -> None:
    line, col = where(src, first, found)
    extra: dict[str, Any] = dict(params)
    src.add(
        rule, line, col, length=len(found), filtered=bool(reason), filtered_reason=reason, **extra
    )


def check_line(src: Source, ctx: Context, first: int, line: str) -> None:
    job = ctx.job(first)
    cross = "in an image that cross-builds for Arm64 on an x86 host" if ctx.in_cross(first) else ""
    for m in PLATFORM.finditer(line):
        value = m.group(1).strip("\"'")
        if "/" not in value:
            continue  # `platform: x86_64` (a setup action's input) is not an image platform
        if re.search(r"amd64|x86_64|/386", value) and not re.search(r"arm64|aarch64|\$", value):
            add(src, "docker-amd64-platform", first, m.group(1), cross, value=value)
    image = None
    if src.language == "docker":
        fm = FROM.match(line)
        image = fm.group(1) if fm else None
    elif src.language in ("compose", "ci"):
        im = IMAGE_KEY.match(line)
        image = im.group(1) if im else None
    if image and X86_IMAGE.search(image):
        reason = cross or (
            "an image this compose file builds (`build:`)" if image in ctx.built else ""
        )
        add(
            src, "docker-amd64-image", first, image, reason, image=image, multiarch=multiarch(image)
        )
    arch_aware = ARCH_VAR.search(line) is not None or first in ctx.branch_lines
    if not arch_aware and DOWNLOAD.search(line):
        for u in URL.finditer(line):
            if X86_URL.search(u.group(0).split("?", 1)[0]):
                reason = cross
                if src.options.target_os == "linux" and OTHER_OS.search(u.group(0)):
                    reason = "a download for another OS: not part of a Linux build"
                add(src, "container-x86-download", first, u.group(0), reason, url=u.group(0))
    m32 = "builds for x86-32 on purpose (-m32)" if re.search(r"(?<![\w-])-m32\b", line) else ""
    if INSTALL.search(line) and not arch_aware:
        for token in re.split(r"[\s\"']+", line):
            for pattern, case in PACKAGES:
                if token and pattern.match(token):
                    reason = cross or m32
                    on_x64 = (job is not None and job.x64) or ctx.default_x64
                    if not reason and case == "x86-32" and on_x64:
                        reason = X64_HOST
                    add(
                        src, "container-x86-package", first, token, reason, package=token, case=case
                    )
                    break
    if src.language != "shell":  # shell scripts get this from the build-file scanner
        for m in PATHS.finditer(line):
            token = m.group(1)
            arm = next((v for k, v in ARM_PATH.items() if k in token), "aarch64-linux-gnu")
            reason = cross or m32
            if MINGW.match(token) and src.options.target_os != "windows":
                reason = "a Windows cross toolchain: not used by a Linux build"
            add(src, "build-x86-path", first, token, reason, token=token, arm=arm)
    for m in CLASSIFIER.finditer(line):
        if not ARM_WORDS.search(line) and not arch_aware:
            add(src, "x86-native-classifier", first, m.group(1), cross, classifier=m.group(1))


def check_jobs(src: Source, ctx: Context, logical: list[tuple[int, str]]) -> None:
    """Record whether the file runs a building job on Arm64 (the CiArm fact), else propose
    its first building job on an x64 runner: the ci-jobs pass keeps one for the tree."""
    read = is_ci_workflow(src.file) or is_gitlab(src.file) or is_jenkins(src.file)
    jobs_arm = any(j.arm for j in ctx.jobs)
    if jobs_arm if read else any(CI_ARM.search(line) for _, line in logical):
        src.facts.append(CiArm())
        return
    if not read or "ci-x64-only-runner" not in src.rules.rules:
        return
    job = next((j for j in ctx.jobs if j.builds and j.x64), None)
    if job:
        src.add("ci-x64-only-runner", job.line, job.column, length=job.length, runner=job.runner)


def branches(code: str) -> list[tuple[str, str, int, int]]:
    """Architecture branches of a shell script: (test, the x86-only action or "", start, end
    offsets) for each `if`/`[ ] &&`/`case` that tests an architecture against an x86 value.
    The action is set when the x86 branch installs or downloads something and no other branch
    names Arm64 or installs anything."""
    out: list[tuple[str, str, int, int]] = []
    words = list(SHELL_WORD.finditer(code))
    for i, w in enumerate(words):
        if w.group(1) == "if":
            then = next((x for x in words[i + 1 :] if x.group(1) == "then"), None)
            if then is None:
                continue
            test = X86_TEST.search(code, w.end(), then.start())
            depth, split, end = 0, None, None
            for x in words[i + 1 :]:
                if x.group(1) == "if":
                    depth += 1
                elif x.group(1) == "fi":
                    if depth == 0:
                        end = x
                        break
                    depth -= 1
                elif x.group(1) in ("elif", "else") and depth == 0 and split is None:
                    split = x
            if end is None or test is None:
                continue
            body = code[then.end() : (split or end).start()]
            rest = code[(split or end).start() : end.start()] + code[w.end() : then.start()]
            action = fetches(body) if not alternative(rest) else ""
            out.append((test.group(0), action, w.start(), end.end()))
        elif w.group(1) == "case" and (head := ARCH_CASE.match(code, w.start())):
            end = next((x for x in words[i + 1 :] if x.group(1) == "esac"), None)
            if end is None:
                continue
            x86, others = [], []
            for clause in code[head.end() : end.start()].split(";;"):
                pattern, _, body = clause.partition(")")
                names = [p.strip(" \t\n(\"'*") for p in pattern.split("|")]
                if any(re.fullmatch(X86_VALUE, n) for n in names):
                    x86.append(body)
                elif pattern.strip():
                    others.append(pattern + body)
            action = ""
            if x86 and not any(alternative(c) for c in others):
                action = next((a for body in x86 if (a := fetches(body))), "")
            out.append((head.group(0), action, w.start(), end.end()))
    out.extend(
        (m.group(0).split("&&")[0].strip(), fetches(m.group(1)), m.start(), m.end())
        for m in re.finditer(rf"\[\[?\s*(?:{X86_TEST.pattern})\s*\]\]?\s*&&([^;\n]*)", code)
        if not ARM_WORDS.search(code[: m.start()] + code[m.end() :])
    )
    return out


def fetches(body: str) -> str:
    """The install or download command in a branch body, or "". Installing x86-only
    packages (gcc-multilib, :i386 packages, MKL) only on x86 is right: not reported."""
    for m in (*INSTALL.finditer(body), *FETCH.finditer(body)):
        line = body[m.start() :].split("\n", 1)[0]
        command = re.split(r"\s*(?:&&|;|\|\|)\s*", line.strip())[0]
        words = [w for w in command.split()[2:] if not w.startswith("-") and w != "install"]
        if m.re.pattern == INSTALL.pattern and words and all(x86_only(w) for w in words):
            continue
        return command
    return ""


def x86_only(package: str) -> bool:
    return any(pattern.match(package) for pattern, _ in PACKAGES)


def alternative(branch: str) -> bool:
    """Does another branch handle Arm64 (names it, or installs or downloads anything)?"""
    return bool(ARM_WORDS.search(branch) or INSTALL.search(branch) or FETCH.search(branch))


def check_branches(src: Source, ctx: Context, logical: list[tuple[int, str]]) -> None:
    """`container-amd64-only-install`: a branch on the architecture that installs or downloads
    something only for x86: on arm64 that part of the image (or setup) is silently missing."""
    if src.language == "docker":
        chunks = [(first, line) for first, line in logical if re.match(r"\s*RUN\b", line, re.I)]
    else:
        chunks = [(1, "\n".join(line for _, line in logical_lines(src.text)))]
    for first, code in chunks:
        for test, action, start, _ in branches(code):
            if not action or (src.language == "shell" and BUILD_ARCH_SUBJECT.search(test)):
                continue  # a shell branch the build-file scanner reads: build-x86-arch-check
            if src.language == "docker":
                line, col = where(src, first, test.split("\n", 1)[0])
            else:
                line = first + code.count("\n", 0, start)
                col = start - code.rfind("\n", 0, start)
            src.add(
                "container-amd64-only-install",
                line,
                col,
                length=len(test.split("\n", 1)[0]),
                test=test.split("\n", 1)[0],
                action=action[:120],
            )
