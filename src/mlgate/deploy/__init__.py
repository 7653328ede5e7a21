"""Deploy targets behind one Protocol, the deploy and rollback flow, smoke tests and the live version.

- ``target``: the ``Target`` Protocol, its errors and ``Reply``; ``watch``: the rollouts a target reports;
- ``targets``: the targets by name (``local``, ``sagemaker``) and ``open_target``;
- ``local``: ``mlgate serve`` behind a state folder; ``sagemaker/``: a SageMaker real-time endpoint;
- ``flow``, ``deployer``, ``gate``, ``smoke``, ``outcome``, ``history``: the deploy and rollback flow;
- ``live``: which version is live (read by the monitor and retraining).
"""

from __future__ import annotations
