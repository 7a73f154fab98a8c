#!/usr/bin/env bash
# ansible-test sanity with one ansible-core: scripts/sanity.sh VENV [ANSIBLE-TEST-ARG...]
#   scripts/sanity.sh .venv                 ansible-core 2.21, controller Python 3.12
#   scripts/sanity.sh .venv-2.19 --test pep8
#
# ansible-test refuses a tree reached through a symlink, so the files git would
# commit (tracked, plus untracked ones not ignored) are copied to
# build/sanity/<core version>/ansible_collections/offline/wagon. That copy gets
# its own empty git repository: otherwise ansible-test would walk up to this
# checkout's .git, where build/ is ignored, and find no files to test.
#
# No --python: ansible-test then runs the controller tests with the venv's
# Python and compile/import on every Python it finds on PATH that the
# ansible-core supports for modules (3.8-3.13 with 2.19, 3.9-3.13 with 2.21),
# so the pyenv interpreters go on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
venv=$top/${1:?usage: sanity.sh VENV [ANSIBLE-TEST-ARG...]}
shift
[[ -x $venv/bin/ansible-test ]] || { echo "sanity: no ansible-test in $venv; run make setup" >&2; exit 1; }

core=$("$venv/bin/python" -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')
copy=$top/build/sanity/$core/ansible_collections/offline/wagon
rm -rf "$copy"
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
    # a file deleted in the work tree is still listed by --cached
    if [[ -e $path || -L $path ]]; then
        cp -d --preserve=mode --parents -- "$path" "$copy/"
    fi
done
git -C "$copy" init -q

if command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root)
else
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
fi
pythons=
for minor in 8 9 10 11 12 13; do
    dir=$(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name "3.$minor.*" 2>/dev/null | sort -V | tail -n 1)
    if [[ -n $dir && -d $dir/bin ]]; then
        pythons+="$dir/bin:"
    fi
done

cd "$copy"
echo "sanity: ansible-core $core in $copy" >&2
PATH="$venv/bin:$pythons$PATH" "$venv/bin/ansible-test" sanity --local --color no "$@"
