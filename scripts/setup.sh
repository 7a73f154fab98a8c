#!/usr/bin/env bash
# Set up everything the demo and the tests need, on a fresh Debian machine as
# root, with no questions asked. Safe to run again: finished steps are skipped.
#
#   .venv        controller: ansible-core 2.21 on Python 3.12, pytest, packaging
#   .venv-2.19   ansible-core 2.19 on Python 3.11, for sanity tests on 2.19
#   build/collections/ansible_collections/offline/wagon -> this repository
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

say() { echo "setup: $*" >&2; }

pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
pick_python() {  # newest pyenv CPython of a minor version
    local dir
    dir=$(printf '%s\n' "$pyenv_root"/versions/"$1".* | sort -V | tail -n 1)
    [[ -n $dir && -x $dir/bin/python$1 ]] || { say "no Python $1 under $pyenv_root/versions"; exit 1; }
    echo "$dir/bin/python$1"
}

# Debian packages the tests use: unshare/ip for offline hosts, sshd for fleets.
missing=()
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
command -v gcc >/dev/null || missing+=(gcc)
command -v shellcheck >/dev/null || missing+=(shellcheck)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v ssh >/dev/null || missing+=(openssh-client)
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

make_venv() {  # make_venv DIR PYTHON REQUIREMENT...
    local dir=$1 python=$2 stamp
    shift 2
    stamp="$dir/.stamp-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
    [[ -f $stamp ]] && return 0
    say "creating $dir with $python"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
    touch "$stamp"
}
make_venv .venv "$(pick_python 3.12)" -r requirements-dev.txt
make_venv .venv-2.19 "$(pick_python 3.11)" ansible-core==2.19.14

# ansible-test sanity bootstraps pip in its venvs with a get-pip script it
# downloads from a host this machine cannot reach; this stand-in does the same
# with ensurepip (see shared notes, ansible-conventions §3.2).
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
for version in 24_2 25_2; do
    cat >"$cache/get_pip_$version.py" <<'PY'
# Stand-in for get-pip: ensurepip in a subprocess, then pip install the rest.
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
PY
done

# Ansible finds the collection through a symlink farm.
mkdir -p build/collections/ansible_collections/offline
ln -sfn "$top" build/collections/ansible_collections/offline/wagon
say "ready"
