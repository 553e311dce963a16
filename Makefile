# Interview Feedback Bot — everything a newcomer needs: `make run`, `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BABEL := $(VENV)/bin/pybabel
LOCALES := ru en
MO_FILES := $(foreach l,$(LOCALES),locales/$(l)/LC_MESSAGES/messages.mo)

.PHONY: run test lint format typecheck pytest locales extract drafts bench bench-instructions migrate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BABEL) compile --statistics -d locales -D messages -l $*
	@test -f $@

## locales: compile the translations (.po → .mo)
locales: $(MO_FILES)

## extract: refresh messages.pot from the code and merge it into ru/en catalogs
extract: $(VENV)/.installed
	$(PY) scripts/sync_locales.py

## drafts: render every draft (kind × situation × language × tone × wording form) into
##        docs/drafts.md from the real templates, for review on one page
drafts: $(VENV)/.installed
	$(PY) scripts/render_drafts.py

## run: start the bot (long polling; needs BOT_TOKEN in the environment or .env)
run: $(VENV)/.installed locales
	$(PY) -m bot

## migrate: apply database migrations without starting the bot
migrate: $(VENV)/.installed
	$(PY) -c "from bot.db.migrate import upgrade; import os; upgrade(os.environ.get('DATABASE_URL', 'sqlite+aiosqlite:///data/bot.sqlite3'))"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed locales
	$(VENV)/bin/pytest

## test: install, build translations, lint, type-check and run every test
test: $(VENV)/.installed locales lint typecheck pytest

## bench: update throughput and latency, then reminder delivery under Telegram's limits
##        (make bench REMINDERS_BENCH=--quick: the reminder part in about a minute)
bench: $(VENV)/.installed locales
	$(PY) scripts/bench.py
	$(PY) scripts/bench_reminders.py $(REMINDERS_BENCH)

## bench-instructions: instructions an update (valgrind's callgrind), repeatable where
##        timings are not: to tell whether a change to the update path does less work
bench-instructions: $(VENV)/.installed locales
	$(PY) scripts/bench_instructions.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache $(MO_FILES)
