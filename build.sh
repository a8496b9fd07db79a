#!/usr/bin/env bash
# Build a standalone porting-advisor binary with PyInstaller and smoke-test it.
#   ./build.sh                 one-file binary: dist/porting-advisor-<os>-<arch>
#   BUILD_MODE=onedir ./build.sh   a folder build (faster start-up)
# Needs a Python >= 3.11 built with shared libraries (python3-dev / pyenv --enable-shared).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
mode="${BUILD_MODE:-onefile}"
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
arch="$(uname -m)"
name="porting-advisor-${os}-${arch}"
venv="$here/build/venv"

python3 -m venv "$venv"
"$venv/bin/pip" install -q "$here" "pyinstaller>=6,<7"

grammars=()
for g in tree_sitter_c tree_sitter_cpp tree_sitter_fortran tree_sitter_go tree_sitter_java \
         tree_sitter_python; do
  grammars+=(--collect-binaries "$g" --hidden-import "$g")
done

"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN "--$mode" --name "$name" \
  --distpath "$here/dist" --workpath "$here/build/pyinstaller" --specpath "$here/build" \
  --add-data "$here/rules:rules" --add-data "$here/templates:templates" \
  --hidden-import porting_advisor.cfamily --hidden-import porting_advisor.asmsource \
  --hidden-import porting_advisor.autotools "${grammars[@]}" \
  --exclude-module tkinter --exclude-module unittest --exclude-module pydoc \
  "$here/porting_advisor/__main__.py"

if [ "$mode" = onedir ]; then bin="$here/dist/$name/$name"; else bin="$here/dist/$name"; fi
"$bin" --version
env -i "$bin" "$here/sample-projects" --format json --no-progress > "$here/build/smoke.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['findings'], 'no findings'" \
  "$here/build/smoke.json"
echo "built $bin ($(du -sh "$bin" | cut -f1))"
