# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The original ``wagon`` tool (1.0.3 from PyPI), installed in a venv and run for real.

Workarounds for this machine (see the research notes, "Real runs"):

- ``wagon[dist]``: without ``distro`` the 1.0.x create refuses to start.
- wagon 1.0.3 looks PyPI names up at ``https://pypi.python.org/pypi/NAME/json``,
  which does not resolve here; the CLI is run with only that URL template set
  to ``https://pypi.org/pypi/{0}/json`` (where the original redirects to).
- Python 3.11, whose venvs still have setuptools (``setup.py --name`` needs it).
- pip runs with no user configuration (``PIP_*`` cleared, ``PIP_CONFIG_FILE``
  is /dev/null), so only PyPI is seen; wagon's temporary files go to a
  ``TMPDIR`` of our own (it leaves empty temp dirs behind).
"""

from __future__ import annotations

import os
import subprocess

WAGON_REQUIREMENT = "wagon[dist]==1.0.3"

_CLI = (
    "import sys, wagon\n"
    "wagon.DEFAULT_INDEX_SOURCE_URL_TEMPLATE = 'https://pypi.org/pypi/{0}/json'\n"
    "sys.argv = ['wagon'] + sys.argv[1:]\n"
    "wagon.main()\n"
)


def clean_environment(tmpdir=None, base=None):
    """``base`` (default os.environ) with no pip configuration; ``TMPDIR`` set when given."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    if tmpdir:
        env["TMPDIR"] = str(tmpdir)
    return env


class RealWagon(object):
    """wagon 1.0.3 in its own venv at ``venv``."""

    def __init__(self, venv, tmpdir):
        self.venv = str(venv)
        self.python = os.path.join(self.venv, "bin", "python")
        self.tmpdir = str(tmpdir)

    @classmethod
    def install(cls, base_python, directory):
        """Create ``directory``/venv with ``base_python`` and pip-install wagon into it from PyPI."""
        directory = str(directory)
        tmpdir = os.path.join(directory, "tmp")
        os.makedirs(tmpdir, exist_ok=True)
        venv = os.path.join(directory, "wagon-venv")
        env = clean_environment(tmpdir)
        subprocess.run([base_python, "-m", "venv", venv], env=env, check=True)
        proc = subprocess.run(
            [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", WAGON_REQUIREMENT],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError("pip install %s failed:\n%s" % (WAGON_REQUIREMENT, proc.stdout[-3000:]))
        return cls(venv, tmpdir)

    def _run(self, argv, cwd=None):
        return subprocess.run(
            argv, cwd=cwd, env=clean_environment(self.tmpdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, stdin=subprocess.DEVNULL, check=False,
        )

    def cli(self, *args, cwd=None):
        """Run ``wagon ARGS...``; return the CompletedProcess (rc, stdout, stderr)."""
        return self._run([self.python, "-c", _CLI] + [str(a) for a in args], cwd=cwd)

    def api(self, code, cwd=None):
        """Run Python ``code`` (with ``wagon`` imported) under wagon's interpreter."""
        return self._run([self.python, "-c", "import wagon\n" + code], cwd=cwd)

    def create(self, source, output_dir, archive_format="zip"):
        """``wagon create SOURCE -t FORMAT -o DIR`` of a project directory, run from inside it
        (``setup.py --name`` runs in wagon's cwd). Return the archive's path."""
        return self._create(source, output_dir, archive_format, cwd=source)

    def create_named(self, requirement, output_dir, archive_format="zip"):
        """``wagon create NAME[==VERSION] -t FORMAT -o DIR``: looked up on PyPI by wagon. Return the archive's path."""
        return self._create(requirement, output_dir, archive_format, cwd=output_dir)

    def _create(self, source, output_dir, archive_format, cwd):
        """Run create; the path comes from wagon's "Wagon created successfully at:" line."""
        proc = self.cli("create", source, "-t", archive_format, "-o", output_dir, "-f", cwd=cwd)
        marker = "Wagon created successfully at: "
        lines = [line.split(marker, 1)[1].strip() for line in proc.stdout.splitlines() if marker in line]
        if proc.returncode != 0 or not lines:
            raise AssertionError("wagon create %s failed (rc=%s):\n%s\n%s" % (source, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        return os.path.join(output_dir, os.path.basename(lines[-1]))


SETUP_PY = """\
from setuptools import setup{ext_import}

setup(
    name={name!r},
    version={version!r},
    packages=[{package!r}],
    install_requires={requires!r},{ext}
)
"""


def make_setup_project(directory, name, version, requires=(), source="", c_extension=None):
    """Write a setup.py project (what wagon 1.0 can build) at ``directory``; return its path.

    The package ``name`` with "-" as "_" gets ``__init__.py`` = ``source``;
    ``c_extension`` (C source text) adds the extension module ``<package>._speedups``.
    """
    package = name.replace("-", "_")
    os.makedirs(os.path.join(str(directory), package))
    with open(os.path.join(str(directory), package, "__init__.py"), "w") as stream:
        stream.write(source)
    ext_import = ext = ""
    if c_extension is not None:
        with open(os.path.join(str(directory), "speedups.c"), "w") as stream:
            stream.write(c_extension)
        ext_import = ", Extension"
        ext = "\n    ext_modules=[Extension(%r, [%r])]," % (package + "._speedups", "speedups.c")
    with open(os.path.join(str(directory), "setup.py"), "w") as stream:
        stream.write(SETUP_PY.format(
            ext_import=ext_import, name=name, version=version, package=package, requires=list(requires), ext=ext,
        ))
    return str(directory)
