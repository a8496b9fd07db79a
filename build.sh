#!/usr/bin/env bash
# Build a standalone porting-advisor binary with PyInstaller and smoke-test it.
#   ./build.sh                     one-file binary: dist/porting-advisor-<os>-<arch>
#   BUILD_MODE=onedir ./build.sh   folder build (starts faster):
#                                  dist/onedir/porting-advisor-<os>-<arch>/porting-advisor-<os>-<arch>
# Needs a Python >= 3.11 with its shared library (Debian/Ubuntu: python3-dev; pyenv:
# PYTHON_CONFIGURE_OPTS=--enable-shared). The binary needs the build host's glibc or newer:
# build on the oldest Linux you support. It does not run the test suite (the tests call it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
mode="${BUILD_MODE:-onefile}"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
arch="$(uname -m)"
name="porting-advisor-${os}-${arch}"
venv="$here/build/venv"
dist="$here/dist"
[ "$mode" = onedir ] && dist="$here/dist/onedir"
case "$mode" in onefile|onedir) ;; *) echo "build.sh: BUILD_MODE must be onefile or onedir" >&2; exit 2;; esac

python3 -m venv "$venv"
"$venv/bin/pip" install -q "$here" "pyinstaller>=6,<7"

grammars=()
for g in tree_sitter_c tree_sitter_cpp tree_sitter_fortran tree_sitter_go tree_sitter_java \
         tree_sitter_python tree_sitter_rust tree_sitter_c_sharp; do
  grammars+=(--collect-binaries "$g" --hidden-import "$g")
done

"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN "--$mode" --name "$name" \
  --distpath "$dist" --workpath "$here/build/pyinstaller-$mode" --specpath "$here/build" \
  --add-data "$here/rules:rules" --add-data "$here/templates:templates" \
  --hidden-import porting_advisor.scanners.c.scan --hidden-import porting_advisor.scanners.asm \
  --hidden-import porting_advisor.scanners.autotools "${grammars[@]}" \
  --exclude-module tkinter --exclude-module unittest --exclude-module pydoc \
  --exclude-module ssl --exclude-module lib2to3 --exclude-module xmlrpc \
  "$here/porting_advisor/__main__.py"

if [ "$mode" = onedir ]; then bin="$dist/$name/$name"; size_of="$dist/$name"; else
  bin="$dist/$name"; size_of="$bin"; fi
"$bin" --version
env -i "$bin" "$here/sample-projects" --format json --no-progress > "$here/build/smoke.json"
"$venv/bin/python" -c "import json,sys; assert json.load(open(sys.argv[1]))['findings']" \
  "$here/build/smoke.json"
echo "built $bin ($(du -sh "$size_of" | cut -f1))"
