"""The image type every vision module passes around: uint8 pixels, BGR (rows × columns × 3) or grey."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
