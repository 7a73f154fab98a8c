#!/usr/bin/env bash
# The main job, end to end: build a wagon of Flask from the package index on
# the connected side, then install it into a new virtualenv where there is no
# network at all, and run it. Called by `make demo` after `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
demo_dir=/tmp/offline-wagon-demo
rm -rf "$demo_dir"
mkdir -p "$demo_dir"

export ANSIBLE_COLLECTIONS_PATH=$top/build/collections
export ANSIBLE_PYTHON_INTERPRETER=$top/.venv/bin/python
export ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
python=$("$top/.venv/bin/python" -c 'import os, sys; print(os.path.realpath(sys._base_executable))')

echo "== 1. Build (connected): wagon_build flask==3.0.3"
time "$top/.venv/bin/ansible-playbook" demo/build.yml -e demo_dir="$demo_dir"

echo "== 2. Install (disconnected: no network namespace route, pip config and mirrors hidden)"
time "$top/.venv/bin/python" tests/support/offline.py \
    "$top/.venv/bin/ansible-playbook" demo/install.yml -e demo_dir="$demo_dir" -e demo_python="$python"
