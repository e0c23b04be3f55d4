"""``python -m roost.cli``: the ``roost`` command (how ``--workers`` starts its workers)."""

import sys

from . import main

sys.exit(main())
