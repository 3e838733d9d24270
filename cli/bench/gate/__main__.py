"""``python -m secondline.cli.bench.gate [ROLE] ...``: the benchmark, or one of its helper processes."""

import sys

from secondline.cli.bench.gate import main

sys.exit(main())
