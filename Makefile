# The two commands of README.md: `make demo` and `make test`. Both set up
# what they need first (scripts/setup.sh), and can be run again.
.PHONY: setup demo test units sanity sanity-2.21 sanity-2.19 pytest clean

VENV := .venv
PYTEST := $(VENV)/bin/pytest

setup:
	bash scripts/setup.sh

demo: setup
	bash scripts/demo.sh

test: setup sanity pytest

sanity: sanity-2.21 sanity-2.19

sanity-2.21: setup
	bash scripts/sanity.sh .venv

sanity-2.19: setup
	bash scripts/sanity.sh .venv-2.19

pytest: setup
	$(PYTEST) tests

units: setup
	$(PYTEST) -m 'not network' tests/unit

clean:
	rm -rf build .venv .venv-2.19 collections tests/output
