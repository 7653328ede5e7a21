"""The ``sagemaker`` registry backend: artifacts in S3, versions as model packages, history as S3 objects.

Layout under ``s3://<sagemaker.bucket>/<sagemaker.prefix>/registry/<model_package_group>/``::

    packages/<stamp>-<sha12>/model.tar.gz   model.skops + mlgate.json + code/{inference.py,requirements.txt}
    packages/<stamp>-<sha12>/record.json    the whole version document (golden rows, metrics, statistics)
    history/<ns-stamp>-<uuid>.jsonl         one event per object; keys sort by time, nothing is rewritten

A version is the model package's ``ModelPackageVersion`` in the group (created if missing); its status is
``ModelApprovalStatus`` (``ApprovalDescription`` = "by WHO: reason"). ``CustomerMetadataProperties`` hold
the short facts (values ≤ 256 characters) and ``mlgate:record``, the S3 key of ``record.json``. Every
object is written with server-side encryption: ``aws:kms`` with ``sagemaker.kms_key_id``, else AES256.
Listings always pass ``SortOrder="Descending"`` (the API's default is ascending); versions are then
ordered by number here. Records and history objects are never rewritten, so each is downloaded once per
registry object, and a version's package is looked up once. Statuses are always read fresh from the
model packages; the history that says who set them is listed again whenever a status and the listing
disagree, and after every event this object records. Clients are injected (``mlgate.aws.client`` in
``open_sagemaker``).
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import hashlib
import io
import json
import tarfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mlgate.artifacts import read_verified
from mlgate.clock import utc_now
from mlgate.config import Config, SagemakerConfig
from mlgate.errors import ConfigError, InputError, ServiceError
from mlgate.files import display_path, write_atomic
from mlgate.registry.actor import format_time
from mlgate.registry.model import (
    STATUSES,
    HistoryEvent,
    ModelVersion,
    Status,
    StatusChange,
    check_status_change,
    normalize_version,
)
from mlgate.registry.records import check_status, event_from_data, event_line, render_version, version_from_data
from mlgate.registry.sagemaker_package import (
    CODE_DIR,
    CONTENT_TYPES,
    MODEL_FILE,
    metadata_properties,
    pack_model,
    package_facts,
    sklearn_image,
    split_uri,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.literals import ModelApprovalStatusType
    from mypy_boto3_sagemaker.type_defs import (
        InferenceSpecificationTypeDef,
        ModelPackageContainerDefinitionTypeDef,
        ModelPackageSummaryTypeDef,
    )

P = ParamSpec("P")
T = TypeVar("T")
APPROVAL: dict[Status, ModelApprovalStatusType] = {
    "pending": "PendingManualApproval",
    "approved": "Approved",
    "rejected": "Rejected",
}
STATUS_OF: dict[str, Status] = {value: key for key, value in APPROVAL.items()}


class SagemakerRegistry:
    """A registry in a SageMaker model package group plus S3 (see the module docstring)."""

    def __init__(
        self,
        settings: SagemakerConfig,
        *,
        sagemaker: SageMakerClient,
        s3: S3Client,
        cache: Path,
        clock: Callable[[], dt.datetime] = utc_now,
        ticks: Callable[[], int] = time.time_ns,
    ) -> None:
        if not settings.bucket or not settings.model_package_group:
            raise ConfigError(
                "the sagemaker registry needs sagemaker.bucket and sagemaker.model_package_group",
                hint="set both in mlgate.yaml (or MLGATE_SAGEMAKER__BUCKET / ...)",
            )
        self.settings = settings
        self.bucket: str = settings.bucket
        self.group: str = settings.model_package_group
        self.sagemaker = sagemaker
        self.s3 = s3
        self.cache = cache
        self.clock = clock
        self.ticks = ticks
        self.downloaded: dict[str, bytes] = {}  # immutable objects (records, history events) by key
        self.found: dict[str, ModelPackageSummaryTypeDef] = {}  # package summaries by the version asked for
        self.listed: tuple[HistoryEvent, ...] | None = None  # the last history listing (see the module docstring)
        self.root = "/".join(p for p in (settings.prefix.strip("/"), "registry", self.group) if p)

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        """Upload the packed artifact and record, then create a pending model package; history gets ``registered``."""
        data = read_verified(artifact_file, version.sha256)
        self._ensure_group()
        folder = f"{self.root}/packages/{self.ticks():020d}-{version.sha256[:12]}"
        tar_key, record_key = f"{folder}/model.tar.gz", f"{folder}/record.json"
        first = StatusChange(status="pending", by=version.registered_by, reason="registered", at=version.registered_at)
        staged = dataclasses.replace(version, artifact=self._uri(tar_key), history=version.history or (first,))
        self._put(tar_key, pack_model(staged, data))
        self._put(record_key, render_version(staged).encode("utf-8"))
        created = self._call(
            "create model package",
            self.sagemaker.create_model_package,
            ModelPackageGroupName=self.group,
            ModelApprovalStatus=APPROVAL["pending"],
            ModelPackageDescription=f"{version.model} ({version.estimator})"[:1024],
            InferenceSpecification=self._inference_spec(tar_key),
            CustomerMetadataProperties=metadata_properties(staged, record_key),
        )
        number = str(created["ModelPackageArn"]).rsplit("/", 1)[-1]
        facts = {
            "ModelPackageArn": created["ModelPackageArn"],
            "ModelPackageGroupName": self.group,
            "InferenceSpecification": self._inference_spec(tar_key),
        }
        stored = dataclasses.replace(staged, version=number, extra={**staged.extra, "sagemaker": package_facts(facts)})
        detail = {
            "model": stored.model,
            "sha256": stored.sha256,
            "commit": stored.commit,
            "model_package_arn": created["ModelPackageArn"],
        }
        self.record(
            HistoryEvent(
                at=stored.registered_at,
                event="registered",
                version=number,
                by=stored.registered_by,
                reason=stored.history[0].reason,
                detail=detail,
            )
        )
        return stored

    def get(self, version: str) -> ModelVersion:
        """One version (a number, ``vN`` or a model-package ARN of this group); anything else is an InputError."""
        return self._read(self._find(version))

    def list(self) -> Sequence[ModelVersion]:
        """Every version, oldest first."""
        return [self._read(summary) for summary in reversed(self._summaries())]

    def newest_approved(self) -> ModelVersion | None:
        """The approved version with the highest number (listed newest first), or None."""
        approved = self._summaries(status="approved")
        return self._read(approved[0]) if approved else None

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        """Set ``ModelApprovalStatus`` with "by WHO: reason" and record the change; the same status is a no-op."""
        check_status_change(version, status, by=by, reason=reason)
        summary = self._find(version)
        package = self._describe(summary)
        current = self._read(summary, package)
        if current.status == status:
            return current
        # the metadata is passed again: moto (unlike AWS) drops it on an update that leaves it out
        self._call(
            "update model package",
            self.sagemaker.update_model_package,
            ModelPackageArn=summary["ModelPackageArn"],
            ModelApprovalStatus=APPROVAL[status],
            ApprovalDescription=f"by {by.strip()}: {reason.strip()}"[:1024],
            CustomerMetadataProperties=dict(package.get("CustomerMetadataProperties") or {}),
        )
        at = format_time(self.clock())
        self.record(HistoryEvent(at=at, event=status, version=current.version, by=by.strip(), reason=reason.strip()))
        return self.get(current.version)

    def record(self, event: HistoryEvent) -> None:
        """Append ``event`` as its own S3 object (never a read-modify-write of a shared file)."""
        key = f"{self.root}/history/{self.ticks():020d}-{uuid.uuid4().hex[:12]}.jsonl"
        self._put(key, event_line(event).encode("utf-8"))
        self.listed = None

    def history(self, version: str | None = None) -> Sequence[HistoryEvent]:
        """The history, oldest first; of one version when given (an unknown one is an InputError)."""
        number = None if version is None else self._number(self._find(version))
        return [e for e in self._list_history(fresh=True) if number is None or e.version == number]

    def artifact_path(self, version: ModelVersion) -> Path:
        """Download the version's tarball, unpack ``model.skops`` and verify its SHA-256 (tampered: InputError)."""
        bucket, key = split_uri(version.artifact)
        body = self._get(key, what=f"the artifact of version {version.version}", bucket=bucket)
        try:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
                member = archive.extractfile(MODEL_FILE)
                data = member.read() if member is not None else b""
        except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
            raise InputError(
                f"tampered artifact: {version.artifact} is not an mlgate model.tar.gz ({exc})",
                hint="do not deploy this version; register the model again",
            ) from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != version.sha256.lower():
            raise InputError(
                f"tampered artifact: {version.artifact} holds a model with SHA-256 {actual[:16]}…, "
                f"version {version.version} records {version.sha256[:16]}…",
                hint="do not deploy this version; reject it and register the model again",
            )
        path = self.cache / self.group / version.version / MODEL_FILE
        write_atomic(path, data)
        return path

    def _inference_spec(self, tar_key: str) -> InferenceSpecificationTypeDef:
        environment = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": f"/opt/ml/model/{CODE_DIR}"}
        container: ModelPackageContainerDefinitionTypeDef = {
            "Image": self._image(),
            "ModelDataUrl": self._uri(tar_key),
            "Environment": environment,
        }
        return {
            "Containers": [container],
            "SupportedContentTypes": CONTENT_TYPES,
            "SupportedResponseMIMETypes": CONTENT_TYPES,
        }

    def _image(self) -> str:
        if self.settings.image_uri:
            return self.settings.image_uri
        region = self.settings.region or str(self.sagemaker.meta.region_name)
        return sklearn_image(region, self.settings.framework_version)

    def _ensure_group(self) -> None:
        found = self._call_or_none(
            "describe model package group",
            ("ValidationException", "ResourceNotFound"),
            self.sagemaker.describe_model_package_group,
            ModelPackageGroupName=self.group,
        )
        if found is None:
            self._call(
                "create model package group",
                self.sagemaker.create_model_package_group,
                ModelPackageGroupName=self.group,
                ModelPackageGroupDescription="mlgate model registry",
            )

    def _summaries(self, status: Status | None = None) -> builtins.list[ModelPackageSummaryTypeDef]:
        """The group's package summaries, highest version first (an absent group has none)."""
        options: dict[str, Any] = {
            "ModelPackageGroupName": self.group,
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
        }
        if status is not None:
            options["ModelApprovalStatus"] = APPROVAL[status]
        paginator = self.sagemaker.get_paginator("list_model_packages")
        pages = self._call("list model packages", lambda: list(paginator.paginate(**options)))
        summaries = [s for page in pages for s in page.get("ModelPackageSummaryList", [])]
        return sorted(summaries, key=lambda s: int(s.get("ModelPackageVersion") or 0), reverse=True)

    def _find(self, version: str) -> ModelPackageSummaryTypeDef:
        text = version.strip()
        if text not in self.found:
            self.found[text] = self._look_up(text)
        return self.found[text]

    def _look_up(self, text: str) -> ModelPackageSummaryTypeDef:
        if text.startswith("arn:"):
            group = text.split(":model-package/", 1)[-1].rsplit("/", 1)[0]
            if group != self.group:
                raise InputError(
                    f"{text} belongs to model package group {group!r}, not {self.group!r}",
                    hint="deploy and approve only versions of sagemaker.model_package_group",
                )
        number = None if text.startswith("arn:") else normalize_version(text)
        summaries = self._summaries()
        for summary in summaries:
            if (self._number(summary) == number) if number is not None else summary.get("ModelPackageArn") == text:
                return summary
        known = ", ".join(self._number(s) for s in reversed(summaries))
        raise InputError(
            f"model package group {self.group!r} has no version {number or text}",
            hint=f"known versions: {known}" if known else "the registry is empty: register one first",
        )

    def _describe(self, summary: Mapping[str, Any]) -> Mapping[str, Any]:
        package: Mapping[str, Any] = self._call(
            "describe model package", self.sagemaker.describe_model_package, ModelPackageName=summary["ModelPackageArn"]
        )
        return package

    def _read(
        self, summary: Mapping[str, Any], package: Mapping[str, Any] | None = None, *, fresh: bool = False
    ) -> ModelVersion:
        package = self._describe(summary) if package is None else package
        events = self._list_history(fresh=fresh)
        number = self._number(summary)
        meta = package.get("CustomerMetadataProperties") or {}
        record_key = meta.get("mlgate:record")
        if not record_key:
            raise InputError(
                f"model package {summary['ModelPackageArn']} was not registered by mlgate",
                hint="register versions with `mlgate registry register`",
            )
        where = self._uri(str(record_key))
        try:
            data = json.loads(self._get_once(str(record_key), what=f"the record of version {number}"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{where}: registry record is not valid JSON: {exc}") from exc
        stored = version_from_data(data, where=where)
        changes = [
            StatusChange(status=check_status(e.event), by=e.by, reason=e.reason, at=e.at)
            for e in events
            if e.version == number and e.event in STATUSES
        ]
        registered = StatusChange(
            status="pending", by=stored.registered_by, reason="registered", at=stored.registered_at
        )
        history = [*(stored.history[:1] or (registered,)), *changes]
        status = STATUS_OF.get(str(package.get("ModelApprovalStatus")), "pending")
        if history[-1].status != status and not fresh:  # the listing may predate the change: list again
            return self._read(summary, package, fresh=True)
        if history[-1].status != status:
            history.append(outside_change(status, package))
        extra = {**stored.extra, "sagemaker": package_facts(package)}
        return dataclasses.replace(stored, version=number, history=tuple(history), extra=extra)

    def _list_history(self, *, fresh: bool) -> tuple[HistoryEvent, ...]:
        """The history events: listed again when ``fresh``, after this object recorded one, or the first time."""
        if fresh or self.listed is None:
            self.listed = self._events()
        return self.listed

    def _events(self) -> tuple[HistoryEvent, ...]:
        prefix = f"{self.root}/history/"
        paginator = self.s3.get_paginator("list_objects_v2")
        pages = self._call("list registry history", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=prefix)))
        keys = sorted(str(item["Key"]) for page in pages for item in page.get("Contents", []))
        events: builtins.list[HistoryEvent] = []
        for key in keys:
            text = self._get_once(key, what="a history event").decode("utf-8")
            for line_number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    where = f"{self._uri(key)}:{line_number}"
                    try:
                        events.append(event_from_data(json.loads(line), where=where))
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{where}: history line is not valid JSON: {exc.msg}") from exc
        return tuple(events)

    def _put(self, key: str, body: bytes) -> None:
        encryption: dict[str, Any] = {"ServerSideEncryption": "AES256"}
        if self.settings.kms_key_id:
            encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.settings.kms_key_id}
        self._call(f"upload {self._uri(key)}", self.s3.put_object, Bucket=self.bucket, Key=key, Body=body, **encryption)

    def _get_once(self, key: str, *, what: str) -> bytes:
        """An object this registry never rewrites (a record, a history event), downloaded at most once."""
        if key not in self.downloaded:
            self.downloaded[key] = self._get(key, what=what)
        return self.downloaded[key]

    def _get(self, key: str, *, what: str, bucket: str | None = None) -> bytes:
        response = self._call_or_none(
            f"download {what}", ("NoSuchKey", "404"), self.s3.get_object, Bucket=bucket or self.bucket, Key=key
        )
        if response is None:
            raise InputError(
                f"{what} is missing: s3://{bucket or self.bucket}/{key}",
                hint="the registry's S3 objects were changed by hand; register the model again",
            )
        return bytes(response["Body"].read())

    def _call(self, what: str, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call AWS; any failure is a ServiceError (exit 3) saying ``what`` could not be done."""
        answer = self._call_or_none(what, (), method, *args, **kwargs)
        assert answer is not None  # nothing is allowed to fail
        return answer

    def _call_or_none(
        self, what: str, allow: tuple[str, ...], method: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """Call AWS; an error code in ``allow`` gives None, any other failure is a ServiceError (exit 3)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(*args, **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "")), str(error.get("Message", exc))
            if code in allow:
                return None
            raise ServiceError(
                f"AWS: cannot {what}: {code}: {message}", hint="check the credentials, region and sagemaker settings"
            ) from exc
        except BotoCoreError as exc:
            raise ServiceError(
                f"AWS: cannot {what}: {exc}",
                hint="cannot reach the AWS endpoint: check the network and AWS_ENDPOINT_URL*",
            ) from exc

    def _number(self, summary: Mapping[str, Any]) -> str:
        return str(summary.get("ModelPackageVersion") or str(summary["ModelPackageArn"]).rsplit("/", 1)[-1])

    def _uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def open_sagemaker(config: Config, environ: Mapping[str, str] | None = None) -> SagemakerRegistry:
    """The ``sagemaker`` backend with clients from ``mlgate.aws``; downloads go under ``registry.path``."""
    from mlgate.aws import client

    settings = config.sagemaker
    options: dict[str, Any] = {"max_attempts": settings.max_attempts, "region": settings.region, "environ": environ}
    cache = Path(display_path(config.registry.path)) / "sagemaker-cache"
    return SagemakerRegistry(
        settings, cache=cache, sagemaker=client("sagemaker", **options), s3=client("s3", **options)
    )


def outside_change(status: Status, package: Mapping[str, Any]) -> StatusChange:
    """A status set outside mlgate (console, API): who and why from ``ApprovalDescription`` ("by WHO: why")."""
    text = str(package.get("ApprovalDescription") or "")
    by, _, reason = text[3:].partition(": ") if text.startswith("by ") else ("", "", text)
    modified = package.get("LastModifiedBy") or {}
    who = by or str(modified.get("UserProfileName") or "unknown")
    when = package.get("LastModifiedTime") or package.get("CreationTime")
    at = format_time(when) if isinstance(when, dt.datetime) else str(when or "")
    return StatusChange(status=status, by=who, reason=reason or "set outside mlgate", at=at)
