"""The funnel report opens in a real headless Chromium without console errors and renders."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from report_samples import sample_figures

from maatwerk.adapters.report import write_report


pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def _chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def screenshot(page: Path, tmp_path: Path) -> tuple[Path, str]:
    """Open ``page`` in headless Chromium, save a screenshot; return it and Chromium's stderr."""
    binary = _chromium()
    if binary is None:
        pytest.skip(
            "Debian chromium is not installed (apt-get install chromium); browser test skipped"
        )
    shot = tmp_path / "shot.png"
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        page.resolve().as_uri(),
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return shot, completed.stderr


def console_errors(stderr: str) -> list[str]:
    """Lines where the page itself reported a problem (console messages, uncaught errors)."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line
    ]


class TestReportInBrowser:
    """Chromium loads the page, logs no console error, and draws a full, non-blank screenshot."""

    def test_screenshot_without_console_errors(self, tmp_path: Path) -> None:
        page = write_report(sample_figures(), tmp_path / "report.html")
        shot, stderr = screenshot(page, tmp_path)
        assert console_errors(stderr) == []
        assert shot.exists()
        assert _png_size(shot) == (1280, 2000)
        # a blank white page compresses to a few kilobytes; charts and text make it far larger
        assert shot.stat().st_size > 50_000

    def test_console_errors_are_detected(self, tmp_path: Path) -> None:
        """The detector is not blind: a page with a script error is caught."""
        page = tmp_path / "broken.html"
        page.write_text(
            "<!DOCTYPE html><html><body><p>x</p><script>throw new Error('boom');</script></body></html>",
            encoding="utf-8",
        )
        _, stderr = screenshot(page, tmp_path)
        assert console_errors(stderr) != []
