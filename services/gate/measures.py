"""The measures catalogue, shared with classification's export (I-3): :mod:`secondline.measures`."""

from secondline.measures import *  # noqa: F401,F403
from secondline.measures import LANES, MeasuresConfig, MeasuresVersion, load_measures  # noqa: F401
