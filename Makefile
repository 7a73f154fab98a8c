# offline.wagon: set-up, demo and tests. Every target sets up first what it
# needs (scripts/setup.sh: apt packages, venvs, ansible-test stand-ins, the
# collection symlink farm), skipping what is done already.
#
#   make setup    set up only (as root, no questions; seconds when done before)
#   make demo     build a Flask wagon from the index, install it with no network
#   make test     sanity on ansible-core 2.21 and 2.19, lint, then the whole pytest suite
#   make lint     ansible-lint (production profile) and antsibull-changelog lint (.venv-lint);
#                 the extra docs current and antsibull-docs lint-collection-docs (.venv-docs)
#   make docs     the docs site in build/docsite/build/html (intersphinx needs the network;
#                 make docs DOCS_ARGS=--no-intersphinx without it)
#   make units    pytest tests/unit without the tests that need the package index
#   make sanity   ansible-test sanity on 2.21 and 2.19 (sanity-2.21, sanity-2.19)
#   make pytest   the whole pytest suite (network-marked tests included)
#   make clean    remove venvs and build output
#
# PYTEST_ARGS: pytest options, by default -n 2 (tests run on two workers); e.g. make pytest PYTEST_ARGS='-n 0 -k install'.
.PHONY: setup demo test units sanity sanity-2.21 sanity-2.19 lint docs pytest clean

PYTEST := .venv/bin/pytest
PYTEST_ARGS ?= -n 2

setup:
	bash scripts/setup.sh

demo: setup
	bash scripts/demo.sh

# Each part runs even when an earlier one failed, so one CI run reports every
# failure; the target fails if any did.
test: setup
	@status=0; \
	for part in sanity-2.21 sanity-2.19 lint pytest; do \
		$(MAKE) --no-print-directory $$part || { status=1; echo "make test: $$part FAILED" >&2; }; \
	done; \
	exit $$status

sanity: sanity-2.21 sanity-2.19

sanity-2.21: setup
	bash scripts/sanity.sh .venv

sanity-2.19: setup
	bash scripts/sanity.sh .venv-2.19

# ansible-lint runs from its own venv and takes the collection from the
# repository itself (it installs it under .ansible/, which is git- and
# build-ignored); the changelog lint checks every fragment and changelog.yaml.
lint: setup
	PATH=$(CURDIR)/.venv-lint/bin:$$PATH .venv-lint/bin/ansible-lint --profile production --nocolor
	.venv-lint/bin/antsibull-changelog lint
	.venv-docs/bin/python scripts/docsite.py check
	cd build/collections/ansible_collections/offline/wagon && \
		PATH=$(CURDIR)/.venv-docs/bin:$$PATH antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .

# The site: antsibull-docs sphinx-init into build/docsite, then its build.sh.
docs: setup
	.venv-docs/bin/python scripts/docsite.py build $(DOCS_ARGS)

pytest: setup
	$(PYTEST) $(PYTEST_ARGS) tests

units: setup
	$(PYTEST) -m 'not network' $(PYTEST_ARGS) tests/unit

clean:
	rm -rf build .venv .venv-2.19 .venv-lint .venv-docs .ansible collections tests/output .pytest_cache
