import shutil

import pytest


@pytest.fixture
def fixture_copy(tmp_path):
    """A copy of the real fixtures to change or break on purpose."""
    from scenes.content import fixtures_dir

    directory = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), directory)
    return directory
