"""Helpers the browser checks share: where the browser and the node tools are, and the run's summary."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
# Quiet and offline: no sandbox (tests run as root in CI), no GPU, no background downloads or sync.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    """The system's Chromium, or None to let Playwright use the one it installed."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


def node_tool(*parts):
    """A file from node_modules, or a failure that says how to get it (never a silent skip)."""
    path = NODE_MODULES.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"{path} is missing: run `npm ci` in {settings.BASE_DIR} (make test does it), with Node 20 and npm."
        )
    return path


def require_program(name, what):
    if not shutil.which(name):
        pytest.fail(f"`{name}` is not on PATH: install {what}.")


# Scores and counts the checks collect, printed at the end of the run (pytest hides a passing test's output).
SUMMARY = []
