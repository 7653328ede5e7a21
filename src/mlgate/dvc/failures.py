"""What a failed ``dvc pull`` / ``dvc checkout`` means, in one or two lines naming the dataset, remote and fix.

``explain_failure`` reads DVC's own messages (its ``ERROR:``/``WARNING:`` lines, in C locale) and returns the
mlgate error to raise: an InputError (exit 2) when the input is unusable (no remote, no or refused credentials,
data pushed nowhere, a missing remote plugin), a ServiceError (exit 3) when the remote failed after DVC's own
retries (unreachable, timed out, a download that broke).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mlgate.dvc.run import TIMED_OUT, DvcRun
from mlgate.dvc.settings import Remote
from mlgate.errors import InputError, MlgateError, ServiceError

_CREDENTIALS = (
    "unable to locate credentials",
    "no credentials",
    "invalidaccesskeyid",
    "signaturedoesnotmatch",
    "expiredtoken",
    "access denied",
    "accessdenied",
    "forbidden",
    "403",
    "could not be found",  # a named AWS profile or config file that is not there
    "permission denied",
)
_UNREACHABLE = (
    "could not connect",
    "connect timeout",
    "connection refused",
    "connection reset",
    "name or service not known",
    "temporary failure in name resolution",
    "timed out",
    "failed to download",
    "failed to fetch",
)
_PLUGIN = re.compile(r"requires '([\w.-]+)' to be installed")
_MISSING = "do not exist neither locally nor on remote"
_NOT_CACHED = "checkout failed"
_NO_REMOTE = ("no remote provided and no default remote set", "config file error: no remote")


def explain_failure(
    run: DvcRun, *, datasets: Sequence[str], remote: Remote | None, root: Path, verb: str = "pull"
) -> MlgateError:
    """The error for a failed ``dvc VERB`` over ``datasets`` (their display paths) of the DVC repository ``root``."""
    text = f"{run.stderr}\n{run.stdout}"
    lower = text.lower()
    which = ", ".join(datasets)
    if verb == "checkout" and _NOT_CACHED in lower:
        return InputError(
            f"{which}: the data is not in the DVC cache ({_first_error(text)})",
            hint="pull it from the DVC remote: `mlgate data pull` (or `dvc pull`)",
        )
    where = remote.describe() if remote else "the DVC remote"
    detail = _first_error(text)
    if run.returncode == TIMED_OUT:
        return ServiceError(
            f"{which}: pulling from {where} {detail}", hint="run it again, or raise the job's time limit"
        )
    if plugin := _PLUGIN.search(text):
        return InputError(
            f"{which}: {where} needs the DVC plugin {plugin.group(1)}, which is not installed",
            hint=f"pip install {plugin.group(1)} beside dvc (in the workflows: the dvc-package input)",
        )
    if remote is None and any(marker in lower for marker in _NO_REMOTE):
        return InputError(
            f"{which}: not in the DVC cache and no DVC remote is set ({root / '.dvc' / 'config'})",
            hint="add one to the repository: `dvc remote add -d NAME URL`, then `dvc push` the data",
        )
    if any(marker in lower for marker in _CREDENTIALS):
        return InputError(
            f"{which}: {where} has no usable credentials: {detail}",
            hint="give them to the job (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an OIDC role: docs/interop.md)",
        )
    if _MISSING in lower:
        missing = [line.split("md5:", 1)[1].strip()[:12] for line in text.splitlines() if line.startswith("md5:")]
        what = f" (md5 {', '.join(missing)})" if missing else ""
        return InputError(
            f"{which}: the data{what} is neither in the DVC cache nor on {where}",
            hint="push it from the machine that made it: `dvc push` (or check out the commit whose data was pushed)",
        )
    if any(marker in lower for marker in _UNREACHABLE):
        return ServiceError(
            f"{which}: {where} failed: {detail}",
            hint="check the remote's url/endpointurl and the network; run it again",
        )
    return ServiceError(
        f"{which}: dvc failed (exit {run.returncode}): {detail}", hint="run the dvc command to see more"
    )


def _first_error(text: str) -> str:
    """DVC's first ``ERROR:`` line without the prefix (else its last line), cut to 300 characters."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line.removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    chosen = errors[0] if errors else (lines[-1] if lines else "no message")
    return chosen if len(chosen) <= 300 else chosen[:299] + "…"
