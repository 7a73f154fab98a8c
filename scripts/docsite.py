# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guides docs/*.md as antsibull-docs extra docs, and the docs site.

antsibull-docs takes extra docs only as reStructuredText under
docs/docsite/rst/, and docs/*.md stay the source (GitHub and Galaxy show
them). This script writes one .rst per guide with pandoc (the binary that the
pypandoc_binary wheel ships), so the .rst files are generated, kept in git
(docs.ansible.com builds from the collection tarball, which holds them), and
never edited by hand:

    scripts/docsite.py convert   rewrite docs/docsite/rst/*.rst from docs/*.md
    scripts/docsite.py check     fail if any of them differs from a fresh conversion
    scripts/docsite.py build     the site, under build/docsite (git- and build-ignored)

What the conversion changes besides the markup:
- each guide gets the label ``ansible_collections.offline.wagon.docsite.<name>``
  (antsibull-docs requires that prefix), and a heading another guide links to
  gets ``<that label>.<the heading's GitHub anchor>``;
- a link to another guide (``rollout.md``, ``format.md#anchor``) becomes a
  ``:ref:`` to that label; a link to any other file of the repository, and an
  image, becomes a URL of the repository named in galaxy.yml (the site holds
  only the .rst files, not docs/images/).

Run it from the docs virtualenv, which `make setup` makes from
requirements-docs.txt (pandoc's output depends on its version, so it is pinned).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys

import pypandoc
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(TOP, "docs")
RST = os.path.join(DOCS, "docsite", "rst")
SITE = os.path.join(TOP, "build", "docsite")
COLLECTIONS = os.path.join(TOP, "build", "collections")
OWN = "ansible_collections.offline.wagon."
LABEL = OWN + "docsite."
# The guides, in the order of docs/docsite/extra-docs.yml.
GUIDES = ["format", "install", "install-sources", "rollout", "fleet", "benchmarks"]
BRANCH = "main"


def label(guide, anchor=None):
    """The RST label of a guide, or of one of its headings by GitHub anchor."""
    return LABEL + guide.replace("-", "_") + ("." + anchor if anchor else "")


def repository():
    with open(os.path.join(TOP, "galaxy.yml"), encoding="utf-8") as stream:
        return yaml.safe_load(stream)["repository"].rstrip("/")


def markdown_ast(guide):
    source = os.path.join(DOCS, guide + ".md")
    return json.loads(pypandoc.convert_file(source, "json", format="gfm"))


def walk(node, visit):
    """Call visit on every pandoc element (a dict with "t") below node, depth first;
    an element visit returns replaces the original."""
    if isinstance(node, list):
        return [walk(item, visit) for item in node]
    if isinstance(node, dict):
        if "c" in node:
            node = dict(node, c=walk(node["c"], visit))
        if "t" in node:
            return visit(node)
    return node


def stringify(inlines):
    parts = []

    def visit(element):
        if element["t"] in ("Str", "Code"):
            parts.append(element["c"] if element["t"] == "Str" else element["c"][1])
        elif element["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        return element

    walk(inlines, visit)
    return "".join(parts)


def is_json(text):
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def split_link(url):
    """(guide, anchor) when url points at one of the guides, else None."""
    if "://" in url or url.startswith(("#", "mailto:")):
        return None
    path, _hash, anchor = url.partition("#")
    name = posixpath.basename(path)
    if posixpath.dirname(path) == "" and name.endswith(".md") and name[:-3] in GUIDES:
        return name[:-3], anchor or None
    return None


def linked_anchors(asts):
    """Every (guide, anchor) that some guide links to."""
    anchors = set()

    def visit(element):
        if element["t"] == "Link":
            target = split_link(element["c"][2][0])
            if target and target[1]:
                anchors.add(target)
        return element

    for ast in asts.values():
        walk(ast["blocks"], visit)
    return anchors


def rewrite(guide, ast, anchors, repo):
    def raw_url(path):
        return "{0}/raw/{1}/docs/{2}".format(repo, BRANCH, posixpath.normpath(path))

    def blob_url(path):
        return "{0}/blob/{1}/docs/{2}".format(repo, BRANCH, posixpath.normpath(path))

    def visit(element):
        kind = element["t"]
        if kind == "Link":
            attr, inlines, (url, title) = element["c"]
            target = split_link(url)
            if target:
                text = stringify(inlines)
                if posixpath.basename(url.partition("#")[0]) == text:
                    # "see [rollout.md](rollout.md)": on the site, the guide's title says more
                    return {"t": "RawInline", "c": ["rst", ":ref:`{0}`".format(label(*target))]}
                text = text.replace("<", "\\<").replace("`", "\\`")
                return {"t": "RawInline", "c": ["rst", ":ref:`{0} <{1}>`".format(text, label(*target))]}
            if "://" not in url and not url.startswith(("#", "mailto:")):
                return {"t": "Link", "c": [attr, inlines, [blob_url(url), title]]}
        elif kind == "CodeBlock" and element["c"][0][1] == ["json"] and not is_json(element["c"][1]):
            # a fragment such as '"offline_wagon": {…}' reads well as JSON on GitHub, but
            # rstcheck and Sphinx's highlighter reject it: a plain literal block instead
            (anchor, _classes, pairs), text = element["c"]
            return {"t": "CodeBlock", "c": [[anchor, [], pairs], text]}
        elif kind == "Image":
            attr, inlines, (url, title) = element["c"]
            if "://" not in url:
                return {"t": "Image", "c": [attr, inlines, [raw_url(url), title]]}
        return element

    blocks = []
    for block in walk(ast["blocks"], visit):
        if block["t"] == "Header":
            level, (anchor, classes, pairs), inlines = block["c"]
            # pandoc writes ".. _<id>:" above a heading whose id is not the one
            # RST would derive from its title; ids nobody links to are dropped
            anchor = label(guide, anchor) if (guide, anchor) in anchors else ""
            block = dict(block, c=[level, [anchor, classes, pairs], inlines])
        blocks.append(block)
    return dict(ast, blocks=blocks)


def render(guide, ast):
    body = pypandoc.convert_text(json.dumps(ast), "rst", format="json", extra_args=["--wrap=preserve"])
    head = (
        "..\n"
        "  Generated from docs/{0}.md by scripts/docsite.py convert: edit that file, not this one.\n"
        "\n"
        ".. _{1}:\n"
        "\n"
    ).format(guide, label(guide))
    return head + body.replace("\r\n", "\n").rstrip("\n") + "\n"


def converted():
    """{path of the .rst file: its content} for every guide."""
    asts = {guide: markdown_ast(guide) for guide in GUIDES}
    anchors = linked_anchors(asts)
    missing = sorted(anchors - {(guide, block["c"][1][0]) for guide, ast in asts.items() for block in ast["blocks"]
                                if block["t"] == "Header"})
    if missing:
        raise SystemExit("docsite: links to headings that do not exist: " + ", ".join("{0}.md#{1}".format(*m) for m in missing))
    repo = repository()
    return {os.path.join(RST, guide + ".rst"): render(guide, rewrite(guide, asts[guide], anchors, repo)) for guide in GUIDES}


def convert(_args):
    os.makedirs(RST, exist_ok=True)
    wanted = converted()
    for name in os.listdir(RST):
        path = os.path.join(RST, name)
        if name.endswith(".rst") and path not in wanted:
            os.remove(path)
    for path, text in wanted.items():
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
    return 0


def check(_args):
    status = 0
    wanted = converted()
    present = {os.path.join(RST, name) for name in os.listdir(RST) if name.endswith(".rst")} if os.path.isdir(RST) else set()
    for path in sorted(present - set(wanted)):
        print("docsite: {0} is no guide's conversion; run scripts/docsite.py convert".format(os.path.relpath(path, TOP)))
        status = 1
    for path, text in sorted(wanted.items()):
        old = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                old = stream.read()
        if old != text:
            rel = os.path.relpath(path, TOP)
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), rel, rel + " (converted)"))
            print("docsite: {0} is stale; run scripts/docsite.py convert".format(rel))
            status = 1
    return status


def into_ansible_docs(warning):
    """Whether a Sphinx warning is a reference that intersphinx would resolve in
    the Ansible docs: a label that is not this collection's."""
    match = re.search(r"WARNING: undefined label: '([^']+)'", warning)
    return bool(match) and not match.group(1).startswith(OWN)


def build(args):
    """sphinx-init into a fresh build/docsite, then its build.sh, which turns every
    Sphinx warning into a failure.

    Without the network intersphinx cannot fetch the inventories of the Ansible
    and Python docs. --no-intersphinx then drops them and keeps going past
    warnings; the build fails only on a warning other than a reference that the
    Ansible docs would resolve (an undefined label outside this collection)."""
    shutil.rmtree(SITE, ignore_errors=True)
    os.makedirs(SITE, mode=0o700)  # antsibull-docs wants it writable by its owner only
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([os.path.join(bindir, "antsibull-docs"), "sphinx-init", "--use-current", "--fail-on-error",
                    "--dest-dir", SITE, "offline.wagon"], env=env, check=True, stdout=subprocess.DEVNULL)
    if not args.no_intersphinx:
        return subprocess.run(["bash", os.path.join(SITE, "build.sh")], env=env, check=False).returncode
    warnings = os.path.join(SITE, "warnings.txt")
    with open(os.path.join(SITE, "conf.py"), "a", encoding="utf-8") as stream:
        stream.write("\n# scripts/docsite.py build --no-intersphinx\nintersphinx_mapping = {}\n")
    with open(os.path.join(SITE, "build.sh"), encoding="utf-8") as stream:
        script = stream.read()
    if " -W --keep-going" not in script:
        raise SystemExit("docsite: build.sh has no sphinx-build ... -W --keep-going to change")
    with open(os.path.join(SITE, "build.sh"), "w", encoding="utf-8") as stream:
        stream.write(script.replace(" -W --keep-going", " --keep-going -w " + warnings))
    status = subprocess.run(["bash", os.path.join(SITE, "build.sh")], env=env, check=False).returncode
    with open(warnings, encoding="utf-8") as stream:
        lines = [line.rstrip("\n") for line in stream if "WARNING:" in line]
    ours = [line for line in lines if not into_ansible_docs(line)]
    print("docsite: {0} warnings, {1} of them references into the Ansible docs (intersphinx is off)".format(
        len(lines), len(lines) - len(ours)))
    for line in ours:
        print("docsite: not an intersphinx reference: " + line)
    return status or (1 if ours else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("convert", help="rewrite docs/docsite/rst/*.rst from docs/*.md").set_defaults(run=convert)
    commands.add_parser("check", help="fail if docs/docsite/rst/*.rst are not docs/*.md's conversion").set_defaults(run=check)
    site = commands.add_parser("build", help="build the site under build/docsite (html in build/docsite/build/html)")
    site.add_argument("--no-intersphinx", action="store_true", help="for a machine without the network")
    site.set_defaults(run=build)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
