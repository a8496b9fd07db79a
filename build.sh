#!/usr/bin/env bash
# Build a standalone porting-advisor binary with PyInstaller and smoke-test it.
#   ./build.sh [--python PYTHON] [OUTPUT_DIR]
#   ./build.sh                     one-file binary: dist/porting-advisor-<os>-<arch>
#   ./build.sh /tmp/out            the same in /tmp/out (nothing is written to the checkout)
#   BUILD_MODE=onedir ./build.sh   folder build (starts faster):
#                                  dist/onedir/porting-advisor-<os>-<arch>/porting-advisor-<os>-<arch>
#   --python PYTHON                build the checkout's package with this Python, which has its
#                                  dependencies and PyInstaller already; nothing is installed.
#                                  Without it, a build venv gets the project (with its mcp
#                                  extra) and PyInstaller from the package registries.
# The binary has `porting-advisor mcp` when the build Python has the MCP SDK (porting-advisor[mcp]).
# Work files (the build venv, PyInstaller's work folder) go to a temporary folder, removed at
# the end. Needs a Python >= 3.11 with its shared library (Debian/Ubuntu: python3-dev; pyenv:
# PYTHON_CONFIGURE_OPTS=--enable-shared). The binary needs the build host's glibc or newer:
# build on the oldest Linux you support. It does not run the test suite (the tests call it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage() { echo "usage: build.sh [--python PYTHON] [OUTPUT_DIR]" >&2; exit 2; }
python=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --python) [ $# -ge 2 ] || usage; python="$2"; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    -*) usage;;
    *) [ -z "$out" ] || usage; out="$1"; shift;;
  esac
done
mode="${BUILD_MODE:-onefile}"
case "$mode" in onefile|onedir) ;; *) echo "build.sh: BUILD_MODE must be onefile or onedir" >&2; exit 2;; esac
# Absolute paths before the cd below; a venv's python keeps its path (no symlink resolving)
case "$python" in */*) python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")";; esac
[ -n "$out" ] || out="$here/dist"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
arch="$(uname -m)"
name="porting-advisor-${os}-${arch}"
dist="$out"
[ "$mode" = onedir ] && dist="$out/onedir"
work="$(mktemp -d "${TMPDIR:-/tmp}/porting-advisor-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"  # whatever a tool drops in its working directory goes away with the rest

if [ -z "$python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q "$here[mcp]" "pyinstaller>=6,<7"
  python="$work/venv/bin/python"
fi

grammars=()
for g in tree_sitter_c tree_sitter_cpp tree_sitter_fortran tree_sitter_go tree_sitter_java \
         tree_sitter_python tree_sitter_rust tree_sitter_c_sharp tree_sitter_hcl; do
  grammars+=(--collect-binaries "$g" --hidden-import "$g")
done

# `porting-advisor mcp`: its server module is imported only by the subcommand, and only when
# the SDK is there (PyInstaller's own hooks cover the SDK's dependencies: pydantic, anyio ...)
optional=()
if "$python" -c "import mcp.server.mcpserver" >/dev/null 2>&1; then
  optional+=(--hidden-import porting_advisor.serve.stdio)
fi

"$python" -m PyInstaller --noconfirm --clean --log-level WARN "--$mode" --name "$name" \
  --distpath "$dist" --workpath "$work/pyinstaller" --specpath "$work" \
  --paths "$here" --add-data "$here/rules:rules" --add-data "$here/templates:templates" \
  --hidden-import porting_advisor.scanners.c.scan --hidden-import porting_advisor.scanners.asm \
  --hidden-import porting_advisor.scanners.autotools "${grammars[@]}" ${optional[@]+"${optional[@]}"} \
  --exclude-module tkinter --exclude-module unittest --exclude-module pydoc \
  --exclude-module lib2to3 --exclude-module xmlrpc \
  "$here/porting_advisor/__main__.py"

if [ "$mode" = onedir ]; then bin="$dist/$name/$name"; size_of="$dist/$name"; else
  bin="$dist/$name"; size_of="$bin"; fi
"$bin" --version
"$bin" mcp --help >/dev/null
env -i "$bin" "$here/sample-projects" --format json --no-progress > "$work/smoke.json"
"$python" -c "import json,sys; assert json.load(open(sys.argv[1]))['findings']" "$work/smoke.json"
echo "built $bin ($(du -sh "$size_of" | cut -f1))"
