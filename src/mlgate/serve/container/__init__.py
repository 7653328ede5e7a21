"""Code shipped inside a SageMaker ``model.tar.gz`` (``code/inference.py``); see docs/sagemaker.md."""

from __future__ import annotations
