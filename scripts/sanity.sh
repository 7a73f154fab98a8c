#!/usr/bin/env bash
# ansible-test sanity on one ansible-core: sanity.sh VENV
# ansible-test refuses a tree reached through a symlink, so the tracked files
# are copied to $TMPDIR/offline-wagon-sanity/ansible_collections/offline/wagon first
# (outside this git checkout, whose .gitignore would hide them).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/$1
copy=${TMPDIR:-/tmp}/offline-wagon-sanity/ansible_collections/offline/wagon
rm -rf "$copy"
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy"
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
# compile and import run on every Python on PATH: give it the pyenv ones.
extra=
for dir in "$pyenv_root"/versions/3.{8,9,10,11,12,13}.*/bin; do
    [[ -d $dir ]] && extra+="$dir:"
done
python=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$copy"
PATH="$venv/bin:$extra$PATH" "$venv/bin/ansible-test" sanity --local --python "$python" --color no
