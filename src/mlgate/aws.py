"""The one gateway to AWS credentials and endpoints (boto3 session factory, pyarrow S3 filesystem).

Endpoints are never hard-coded: ``AWS_ENDPOINT_URL_<SERVICE>`` and ``AWS_ENDPOINT_URL`` are honoured
(pyarrow's S3 client ignores them, so they are passed as ``endpoint_override`` here).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import urlsplit

from mlgate.errors import ServiceError

if TYPE_CHECKING:
    import boto3
    import pyarrow.fs
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient

Service = Literal["s3", "sagemaker", "sagemaker-runtime", "cloudwatch"]  # every AWS service mlgate calls


def make_session(environ: Mapping[str, str] | None = None) -> boto3.Session:
    """A boto3 session using the standard credential chain."""
    import boto3

    environ = os.environ if environ is None else environ
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    return boto3.Session(region_name=region) if region else boto3.Session()


@overload
def client(
    service: Literal["s3"],
    *,
    max_attempts: int = ...,
    region: str | None = ...,
    environ: Mapping[str, str] | None = ...,
) -> S3Client: ...
@overload
def client(
    service: Literal["sagemaker"],
    *,
    max_attempts: int = ...,
    region: str | None = ...,
    environ: Mapping[str, str] | None = ...,
) -> SageMakerClient: ...
@overload
def client(
    service: Literal["sagemaker-runtime"],
    *,
    max_attempts: int = ...,
    region: str | None = ...,
    environ: Mapping[str, str] | None = ...,
) -> SageMakerRuntimeClient: ...
@overload
def client(
    service: Literal["cloudwatch"],
    *,
    max_attempts: int = ...,
    region: str | None = ...,
    environ: Mapping[str, str] | None = ...,
) -> CloudWatchClient: ...
def client(
    service: Service, *, max_attempts: int = 5, region: str | None = None, environ: Mapping[str, str] | None = None
) -> S3Client | SageMakerClient | SageMakerRuntimeClient | CloudWatchClient:
    """A boto3 client for ``service`` with standard-mode retries (``total_max_attempts``) and the endpoint override."""
    from botocore.config import Config

    session = make_session(environ)
    config = Config(retries={"mode": "standard", "total_max_attempts": max_attempts}, connect_timeout=10)
    region_name = (region or "us-east-1") if (region or session.region_name is None) else None  # None: the session's
    return session.client(service, config=config, endpoint_url=endpoint_url(service, environ), region_name=region_name)


def translate_error(operation: str, exc: Exception) -> ServiceError:
    """A botocore exception as a ServiceError that says what failed, after how many tries, and what to check."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        tries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
        return ServiceError(
            f"AWS {operation} failed: {error.get('Code', 'error')}: {error.get('Message', '')} (after {tries} tries)",
            hint="check the resource names and the IAM role's permissions; transient errors were already retried",
        )
    if isinstance(exc, EndpointConnectionError):
        return ServiceError(
            f"cannot reach AWS for {operation}: {exc}", hint="check the network, AWS_REGION and AWS_ENDPOINT_URL"
        )
    return ServiceError(
        f"AWS call {operation} failed: {exc}", hint="check the AWS credentials, region and the sagemaker settings"
    )


def endpoint_url(service: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint override for ``service`` from the environment, if any."""
    environ = os.environ if environ is None else environ
    return (
        environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}") or environ.get("AWS_ENDPOINT_URL") or None
    )


def make_s3_filesystem(environ: Mapping[str, str] | None = None) -> pyarrow.fs.S3FileSystem:
    """A pyarrow S3 filesystem with boto3's credentials, region and endpoint override."""
    import pyarrow.fs

    session = make_session(environ)
    options: dict[str, Any] = {
        "region": session.region_name or "us-east-1",
        "retry_strategy": pyarrow.fs.AwsStandardS3RetryStrategy(max_attempts=3),
        "connect_timeout": 10,
        "request_timeout": 60,
    }
    credentials = session.get_credentials()
    if credentials is None:
        options["anonymous"] = True
    else:
        frozen = credentials.get_frozen_credentials()
        options |= {"access_key": frozen.access_key, "secret_key": frozen.secret_key}
        if frozen.token:
            options["session_token"] = frozen.token
    url = endpoint_url("s3", environ)
    if url:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        options |= {"endpoint_override": parts.netloc, "scheme": parts.scheme or "https"}
        options["force_virtual_addressing"] = False
    return pyarrow.fs.S3FileSystem(**options)
