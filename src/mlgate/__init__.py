"""mlgate: data, model and deploy gates for scikit-learn projects on GitHub Actions."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
