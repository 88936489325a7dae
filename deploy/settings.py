"""The site's settings with the static files collected into $RUN_LOCAL_STATIC_ROOT, a folder of deploy/run-local's
own, so that starting the arrangement never writes into this working tree's staticfiles/."""

import os
from pathlib import Path

from iwojima_site.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["RUN_LOCAL_STATIC_ROOT"])
WHITENOISE_AUTOREFRESH = False
