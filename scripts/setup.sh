#!/usr/bin/env bash
# Set up everything `make demo` and `make test` need, on a fresh Debian machine,
# as root, with no questions asked. Safe to run again: each finished step
# leaves a stamp and is skipped next time, so a re-run takes a second or two.
#
#   apt          openssh-server, nftables, iproute2, gcc, ... (only if missing)
#   .venv        controller: ansible-core 2.21 on pyenv Python 3.12, pytest,
#                pytest-ansible, packaging (requirements-dev.txt)
#   .venv-2.19   ansible-core 2.19 on pyenv Python 3.11, for sanity on 2.19
#   .venv-lint   ansible-lint, antsibull-changelog, ansible-builder (requirements-lint.txt)
#   .venv-docs   antsibull-docs, Sphinx, pandoc (requirements-docs.txt)
#   ~/.ansible/test/cache/get_pip_*.py   offline stand-ins for ansible-test
#   build/collections/ansible_collections/offline/wagon -> this repository
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

say() { echo "setup: $*" >&2; }
die() { say "$*"; exit 1; }

# --- Debian packages -------------------------------------------------------
# unshare (util-linux) and ip for offline runs, sshd and nft for offline hosts,
# gcc for C-extension fixtures, git for the sanity copy, shellcheck for sanity.
need() {  # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 ]] || missing+=("$2")
}
missing=()
need unshare util-linux
need ip iproute2
need sshd openssh-server
need ssh openssh-client
need nft nftables
need gcc gcc
need git git
need shellcheck shellcheck
if ((${#missing[@]})); then
    ((EUID == 0)) || die "missing ${missing[*]}; run as root to install them"
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# --- Interpreters ----------------------------------------------------------
if command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root)
else
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
fi
pick_python() {  # pick_python 3.12 -> newest pyenv CPython 3.12.x
    local dir
    dir=$(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name "$1.*" 2>/dev/null | sort -V | tail -n 1)
    [[ -n $dir && -x $dir/bin/python$1 ]] || die "no Python $1 under $pyenv_root/versions (install it with pyenv)"
    echo "$dir/bin/python$1"
}

# --- Virtualenvs -----------------------------------------------------------
# The stamp names the interpreter and the exact requirements: editing a pin
# re-runs pip in the venv (quick, and the venv stays usable meanwhile); another
# interpreter (say a new pyenv patch release) rebuilds it from scratch.
make_venv() {  # make_venv DIR PYTHON REQUIREMENTS-TEXT
    local dir=$1 python=$2 requirements=$3 digest
    digest=$(printf '%s\n%s\n' "$python" "$requirements" | sha256sum | cut -c1-16)
    [[ -f $dir/.stamp-$digest ]] && return 0
    if [[ -x $dir/bin/python ]] && grep -qxF "executable = $python" "$dir/pyvenv.cfg" 2>/dev/null; then
        say "updating $dir"
    else
        say "creating $dir with $python"
        rm -rf "$dir"
        "$python" -m venv "$dir"
    fi
    rm -f "$dir"/.stamp-*
    printf '%s\n' "$requirements" >"$dir/requirements.txt"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$dir/requirements.txt" </dev/null
    touch "$dir/.stamp-$digest"
}
make_venv .venv "$(pick_python 3.12)" "$(cat requirements-dev.txt)"
make_venv .venv-2.19 "$(pick_python 3.11)" "ansible-core==2.19.14"
make_venv .venv-lint "$(pick_python 3.12)" "$(cat requirements-lint.txt)"
make_venv .venv-docs "$(pick_python 3.12)" "$(cat requirements-docs.txt)"

# --- ansible-test's get-pip ------------------------------------------------
# ansible-test sanity bootstraps pip in its venvs with get-pip-<ver>.py from
# ci-files.testing.ansible.com, which this machine cannot reach. It uses
# ~/.ansible/test/cache/get_pip_<ver>.py instead when present, so put a
# stand-in there: ensurepip in a subprocess (in-process it would hide
# /etc/pip.conf, which holds the CA), then pip installs the requested pins.
# <ver> is each ansible-core's default pip (get_venv_packages).
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
standin=$(
    cat <<'PY'
"""Stand-in for get-pip.py, written by offline.wagon's scripts/setup.sh."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
PY
)
for venv in .venv .venv-2.19; do
    requirements=$(echo "$venv"/lib/python3.*/site-packages/ansible_test/_internal/python_requirements.py)
    pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$requirements" | head -n 1)
    [[ -n $pip_version ]] || die "no default pip version in $requirements"
    target=$cache/get_pip_${pip_version//./_}.py
    if [[ ! -f $target ]] || [[ $(<"$target") != "$standin" ]]; then
        say "writing $target"
        printf '%s\n' "$standin" >"$target"
    fi
done

# --- Symlink farm for ansible, ansible-playbook, ansible-doc and pytest ------
link=build/collections/ansible_collections/offline/wagon
if [[ $(readlink "$link" 2>/dev/null) != "$top" ]]; then
    rm -rf "$link"
    mkdir -p "$(dirname "$link")"
    ln -s "$top" "$link"
fi
say "ready"
