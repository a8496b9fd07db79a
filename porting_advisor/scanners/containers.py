# SPDX-License-Identifier: Apache-2.0
"""Dockerfiles, compose files, CI workflows and shell scripts pinned to x86."""

from __future__ import annotations

import re
from typing import Any

from porting_advisor.core.facts import BaseImage, CiArm
from porting_advisor.core.source import Source
from porting_advisor.scanners.build import ARM_PATH, PATHS

COMMENT = re.compile(r"(?:^|\s)#.*$")
PLATFORM = re.compile(
    r"(?:--platform[= ]|platform:\s*|DOCKER_DEFAULT_PLATFORM=)[\"']?"
    r"([\w/.,${}-]+)"
)
FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.I)
IMAGE_KEY = re.compile(r"^\s*-?\s*image:\s*[\"']?([^\s\"']+)")
X86_IMAGE = re.compile(
    r"^(?:[\w.-]+/)?(?:amd64|x86_64|i386|i686)/|[:_-](?:amd64|x86_64|x86-64)"
    r"(?:$|[-_.])"
)
URL = re.compile(r"https?://[^\s\"'<>)]+")
X86_URL = re.compile(
    r"(?i)(?:x86[_-]64|amd64|linux-?x64|linux64|win64|win-x64|i[3-6]86|"
    r"[-_.]x64[-_.])"
)
DOWNLOAD = re.compile(r"\b(?:curl|wget|ADD|Invoke-WebRequest|iwr|aria2c|fetch)\b")
ARCH_VAR = re.compile(
    r"TARGETARCH|BUILDARCH|TARGETPLATFORM|uname\s+-m|\$\(arch\)|`arch`|"
    r"print-architecture|\$\{?ARCH\b|\$\{?arch\b|matrix\.arch|HOSTTYPE|"
    r"\$\{?MACHINE\b|\$\{?CPU\b|runner\.arch"
)
INSTALL = re.compile(
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
RUNS_ON = re.compile(r"^\s*runs-on:\s*(.+?)\s*$")
X64_RUNNER = re.compile(
    r"^(?:ubuntu-(?:latest|\d\d\.\d\d)|windows-(?:latest|\d{4})|"
    r"macos-(?:1[0-3]|latest-large|\d+-large)|[\w-]*(?:x64|amd64)[\w-]*)$"
)
# Any sign that a CI configuration builds or tests on Arm64.
CI_ARM = re.compile(
    r"(?i)runs-on:.*(?:arm|aarch64|graviton)|arm_container|arm64|aarch64|graviton|"
    r"ubuntu-\d\d\.\d\d-arm"
)
ARM_RUNNER = re.compile(r"(?i)arm|aarch64|graviton|macos-1[4-9]|macos-latest(?!-large)")


def is_ci_workflow(path: str) -> bool:
    return "/.github/workflows/" in f"/{path}"


def multiarch(image: str) -> str:
    out = re.sub(r"^(?:[\w.-]+/)?(?:amd64|x86_64|i386|i686)/", "", image)
    return re.sub(r"[-_](?:amd64|x86_64|x86-64)(?=$|[-_.])", "", out)


ARG = re.compile(r"^\s*ARG\s+(\w+)(?:=(\S*))?", re.I)
FROM_LINE = re.compile(r"^\s*FROM\s+((?:--\w+=\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?", re.I)
VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?-([^}]*))?\}|(\w+))")


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
    if src.language == "docker" and "FROM" in text.upper():
        src.facts.extend(BaseImage(line, image) for line, image in base_images(text))
    if not any(
        w in text
        for w in (
            "amd64",
            "x86",
            "x64",
            "86",
            "platform",
            "runs-on",
            "multilib",
            "mkl",
            "oneapi",
            "lib32",
            "i386",
        )
    ):
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
    for first, line in logical:
        check_line(src, first, line)
    if src.language == "ci" and CI_ARM.search(text):
        src.facts.append(CiArm())
    if is_ci_workflow(src.file):
        check_runners(src, logical)


def where(src: Source, first: int, token: str) -> tuple[int, int]:
    """Physical (line, column) of `token` in the logical line starting at `first`."""
    for no in range(first, first + 200):
        col = src.line_text(no).find(token)
        if col >= 0:
            return no, col + 1
        if not src.line_text(no).rstrip().endswith(("\\", "`")):
            break
    return first, 1


def add(src: Source, rule: str, first: int, found: str, **params: str) -> None:
    line, col = where(src, first, found)
    extra: dict[str, Any] = dict(params)
    src.add(rule, line, col, length=len(found), **extra)


def check_line(src: Source, first: int, line: str) -> None:
    for m in PLATFORM.finditer(line):
        value = m.group(1).strip("\"'")
        if "/" not in value:
            continue  # `platform: x86_64` (a setup action's input) is not an image platform
        if re.search(r"amd64|x86_64|/386", value) and not re.search(r"arm64|aarch64|\$", value):
            add(src, "docker-amd64-platform", first, m.group(1), value=value)
    image = None
    if src.language == "docker":
        fm = FROM.match(line)
        image = fm.group(1) if fm else None
    elif src.language in ("compose", "ci"):
        im = IMAGE_KEY.match(line)
        image = im.group(1) if im else None
    if image and X86_IMAGE.search(image):
        add(src, "docker-amd64-image", first, image, image=image, multiarch=multiarch(image))
    arch_aware = ARCH_VAR.search(line) is not None
    if not arch_aware and DOWNLOAD.search(line):
        for u in URL.finditer(line):
            if X86_URL.search(u.group(0).split("?", 1)[0]):
                add(src, "container-x86-download", first, u.group(0), url=u.group(0))
    if INSTALL.search(line) and not arch_aware:
        for token in re.split(r"[\s\"']+", line):
            for pattern, case in PACKAGES:
                if token and pattern.match(token):
                    add(src, "container-x86-package", first, token, package=token, case=case)
                    break
    if src.language != "shell":  # shell scripts get this from the build-file scanner
        for m in PATHS.finditer(line):
            token = m.group(1)
            arm = next((v for k, v in ARM_PATH.items() if k in token), "aarch64-linux-gnu")
            add(src, "build-x86-path", first, token, token=token, arm=arm)


def check_runners(src: Source, logical: list[tuple[int, str]]) -> None:
    runners = [
        (first, RUNS_ON.match(line).group(1).strip("[]\"' "))  # type: ignore[union-attr]
        for first, line in logical
        if RUNS_ON.match(line)
    ]
    if not runners or any(ARM_RUNNER.search(r) for _, r in runners):
        return
    if "ci-x64-only-runner" not in src.rules.rules:
        return
    for first, runner in runners:  # one finding per workflow: the first x64 job
        labels = [x.strip(" \"'") for x in runner.split(",")]
        if any(X64_RUNNER.match(label) for label in labels):
            add(src, "ci-x64-only-runner", first, runner, runner=runner)
            return
