"""The console in a real headless browser: Debian's `chromium` driven by Playwright for Python
(never `playwright install`: the system's chromium is launched by path). Skipped, with the reason
shown, when chromium or Playwright is missing; CI installs both (`.ci/run`, the dev extra)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cc112_pbx.harness import Switchboard

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.async_api import Browser, Page, async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium): console browser tests skipped",
                allow_module_level=True)
if async_playwright is None:
    pytest.skip("playwright is not installed (pip install -e '.[dev]'): console browser tests skipped",
                allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
ROOT = Path(__file__).resolve().parents[2]
# Where the screenshots go: var/screenshots (not committed) unless CC112_SCREENSHOT_DIR says otherwise;
# `CC112_SCREENSHOT_DIR=docs/screenshots` refreshes the README's (committed) ones.
SCREENSHOTS = ROOT / os.environ.get("CC112_SCREENSHOT_DIR", "var/screenshots")


@dataclass
class Console:
    sb: Switchboard
    browser: Browser
    errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.sb.api_url

    async def page(self, token: str | None = None, screen: str = "") -> Page:
        """A fresh browser context (its own localStorage) at 1366x768, logged in with `token` if given."""
        context = await self.browser.new_context(viewport=VIEWPORT, locale="id-ID", timezone_id="UTC")
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        fragment = f"#token={token}" if token else ""
        await page.goto(f"{self.url}/{fragment}")
        if screen:
            await page.wait_for_selector(f"#nav a[href='#/{screen}']")
            await page.click(f"#nav a[href='#/{screen}']")
            await page.wait_for_selector(f"#screen-{screen}")
        return page

    def real_errors(self) -> list[str]:
        """Console errors other than the expected failed requests while the API is down on purpose."""
        return [e for e in self.errors if "ERR_CONNECTION_REFUSED" not in e and "WebSocket" not in e
                and "Failed to load resource" not in e]


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def start_console(tmp_path: Path, **switchboard) -> AsyncIterator[Console]:
    options = {"seats": 3, "queue": {"wrapup_time": 0}, **switchboard}
    async with Switchboard(tmp_path, api=True, **options) as sb, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield Console(sb, browser)
        finally:
            await browser.close()


@pytest.fixture
async def console(tmp_path):
    async for c in start_console(tmp_path):
        yield c
