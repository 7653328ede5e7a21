"""The SageMaker deploy target, one module per concern.

- ``target``: ``SagemakerTarget`` (the ``mlgate.deploy.target.Target`` Protocol) and ``open_sagemaker_target``;
- ``api``: the boto3 clients, every error translated, "not found" as None;
- ``requests``: the requests it sends and the replies it reads, as plain data;
- ``names``: resource names, tags and the ``UpdateEndpoint`` deployment config;
- ``watch``: watching an endpoint after a create or update, and how it ended.
"""

from __future__ import annotations
