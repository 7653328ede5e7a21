"""Deploy targets behind one Protocol (local; SageMaker later), smoke tests and rollback."""

from __future__ import annotations
