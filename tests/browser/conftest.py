"""A real browser (Debian's Chromium driven by Playwright) against the live test server."""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background connections are refused on an offline machine: switch them off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        # CI installs Chromium and must run these tests; elsewhere say how to get them.
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium not found at {CHROMIUM}: CI must install it (apt-get install chromium)."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium) — browser tests not run.")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # The test ran inside Playwright's greenlet, whose context has database connections
        # of its own (Django keeps them per context): closed here, or PostgreSQL refuses to
        # drop the test database at the end ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def phone(browser):
    """A page the size of a 360 px wide phone, in Vietnamese."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
