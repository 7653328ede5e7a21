from __future__ import annotations

from pathlib import Path

from mlgate.training.machine import describe_machine, read_cpu_model, same_machine

VERSIONS = {"python": "3.11.7", "scikit-learn": "1.9.1", "numpy": "2.3.0", "scipy": "1.16.0", "pandas": "3.1.1"}


def test_the_fingerprint_changes_with_every_fact_that_changes_speed(tmp_path: Path) -> None:
    base = describe_machine(VERSIONS, environ={})
    assert base["fingerprint"].startswith("sha256:")
    assert len(base["fingerprint"]) == 71
    assert describe_machine(VERSIONS, environ={})["fingerprint"] == base["fingerprint"]
    threads = describe_machine(VERSIONS, environ={"OMP_NUM_THREADS": "1"})
    newer = describe_machine({**VERSIONS, "scikit-learn": "1.9.2"}, environ={})
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Other CPU @ 2.0GHz\n")
    other_cpu = describe_machine(VERSIONS, environ={}, cpuinfo=cpuinfo)
    assert threads["threads"] == {"OMP_NUM_THREADS": "1"}
    assert other_cpu["cpu"] == "Other CPU @ 2.0GHz"
    fingerprints = {m["fingerprint"] for m in (base, threads, newer, other_cpu)}
    assert len(fingerprints) == 4


def test_an_unrelated_variable_or_library_does_not_change_the_fingerprint() -> None:
    base = describe_machine(VERSIONS, environ={})
    assert (
        describe_machine({**VERSIONS, "skops": "0.16.0"}, environ={"HOME": "/x"})["fingerprint"] == base["fingerprint"]
    )


def test_cpu_model_falls_back_when_there_is_no_cpuinfo(tmp_path: Path) -> None:
    assert read_cpu_model(tmp_path / "missing") != ""


def test_same_machine_needs_an_equal_fingerprint() -> None:
    here = describe_machine(VERSIONS, environ={})
    assert same_machine({"machine": here}, here)
    assert not same_machine({"machine": {**here, "fingerprint": "sha256:" + "1" * 64}}, here)
    assert not same_machine({}, here)
    assert not same_machine({"machine": "x"}, here)


def test_an_arm_core_is_named_by_implementer_part_and_variant(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nBogoMIPS\t: 243.75\nCPU implementer\t: 0x41\nCPU architecture: 8\n"
        "CPU variant\t: 0x1\nCPU part\t: 0xd40\nCPU revision\t: 1\n"
    )
    assert read_cpu_model(cpuinfo) == "arm implementer 0x41 part 0xd40 variant 0x1"


def test_a_cpu_that_cannot_be_told_apart_is_never_the_same_machine() -> None:
    here = {**describe_machine(VERSIONS, environ={}), "cpu": "unknown"}
    assert not same_machine({"machine": here}, here)
