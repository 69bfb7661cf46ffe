# Two commands: `make run` (set up, load the demo, serve) and `make test` (set up, run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Local use runs with DEBUG on; production sets DEBUG=off and its secrets in the environment.
export DEBUG ?= on
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: install run migrate demo test lint typecheck format migrations-check check clean serve loadtest

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cần Python 3.11 trở lên (đang có %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# The local .env, made once if there is none, so that the README's commands
# (.venv/bin/python manage.py import_data, createsuperuser, backup_data) run as written
# after `make run`: DEBUG on and a generated key. Never committed (.gitignore); `make test`
# reads none; production sets its own variables.
.env:
	@echo "# Made by make for local development; see .env.example. Never commit it." > $@
	@echo "DEBUG=on" >> $@
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(60))')" >> $@
	@echo "  Đã tạo tệp .env (DEBUG=on, SECRET_KEY ngẫu nhiên) cho máy phát triển."

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_communes
	$(MANAGE) load_demo

run: .env demo
	@echo ""
	@echo "  Mở http://$(HOST)/ — tài khoản mẫu (mật khẩu lambinh-demo):"
	@echo "    quantri          quản trị, toàn tỉnh"
	@echo "    lanhdao          lãnh đạo, Ban Tuyên giáo và Dân vận Tỉnh ủy (toàn tỉnh)"
	@echo "    nhaplieu         cán bộ nhập liệu, Chi bộ Sở Nông nghiệp và Môi trường"
	@echo "    binhan_lanhdao   lãnh đạo, Đảng ủy xã Bình An"
	@echo "    binhan_nhaplieu  cán bộ nhập liệu, Đảng ủy xã Bình An"
	@echo ""
	$(MANAGE) runserver $(HOST)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with the Django plugin; what it checks and the untyped libraries are in pyproject.toml.
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

check: lint typecheck migrations-check test

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache

# The production profile on this machine: DEBUG off, static files collected, gunicorn.
# Needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment (see README); any
# warning of check --deploy (a weak key, a missing HTTPS setting) stops it before serving.
serve: install
	DEBUG=off $(MANAGE) check --deploy --fail-level WARNING
	DEBUG=off $(MANAGE) migrate --noinput
	DEBUG=off $(MANAGE) collectstatic --noinput
	DEBUG=off $(BIN)/gunicorn lamb_binh.wsgi --bind $(HOST) --workers $${WEB_CONCURRENCY:-3} --access-logfile - --error-logfile -

# The load test: a scratch copy of the benchmark data (1.000.000 activities) on PostgreSQL,
# the production profile under gunicorn on 127.0.0.1, 50 locust users for 2 minutes
# (lamb_binh/tooling/loadtest.py, the users in lamb_binh/tooling/locustfile.py).
# LOADTEST_ARGS="--reuse --keep" keeps the data for the next run; see README.
LOADTEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/lamb_binh)
loadtest: install
	DATABASE_URL=$(LOADTEST_DATABASE_URL) $(MANAGE) loadtest $(LOADTEST_ARGS)
