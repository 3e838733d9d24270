"""``python -m secondline.cli``: the ``secondline`` command."""

import sys

from secondline.cli import main

sys.exit(main())
