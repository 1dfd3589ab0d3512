"""Where the stand-in LMS keeps its state. Standard library only: manage.py and the
settings import it before Django is set up.

LMS_STATE_DIR (environment) names the state directory; left out, it is `<repo>/.lms`,
resolved from this file's location (never from the current directory).
"""

import os
from pathlib import Path

# tests/lms/lms/paths.py -> tests/lms is the project root (like edx-platform's root)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PROJECT_ROOT.parents[1]
DEFAULT_STATE_DIR = REPO_ROOT / ".lms"


def state_dir():
    """The state directory as an absolute Path (not created here)."""
    value = os.environ.get("LMS_STATE_DIR", "").strip()
    if not value:
        return DEFAULT_STATE_DIR
    path = Path(value)
    if not path.is_absolute():
        # Relative values are taken relative to the repository, like the Makefile's default.
        path = REPO_ROOT / path
    return path.resolve()
