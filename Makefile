# Quick start: `make demo` runs the kiosk's headless demo visit; `make test` runs every test.
# Both first install whatever is missing (Debian packages and the .venv virtual environment).

export SDL_VIDEODRIVER ?= offscreen
export KIVY_NO_ARGS := 1
export OMP_THREAD_LIMIT := 1

.PHONY: demo test setup setup-test clean

setup:
	@scripts/bootstrap.sh

setup-test:
	@scripts/bootstrap.sh test

demo: setup
	.venv/bin/kiosk demo

test: setup-test
	.venv/bin/python -m pytest -q $(PYTEST_ARGS)
	@# known vulnerabilities in the installed packages fail; an unreachable advisory service only warns
	.venv/bin/python .ci/audit.py

clean:
	rm -rf demo-output .pytest_cache build *.egg-info
