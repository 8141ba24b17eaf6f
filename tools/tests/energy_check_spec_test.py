#!/usr/bin/env python3
"""e2e.energy_check_spec: tools/tests/testdata/energy_check stands for the standard's training
energy requirement on a GPU (tools/gpu_check.sh's energy step), so it must say what the standard
says: the same fashion-mlp workload at full scale, the same requirement with the gpu profile's
threshold, runs and accepted methods, and the gpu profile's energy settings. A change to the
standard that the check spec does not follow fails here.

usage: energy_check_spec_test.py LEPTON_CERT REPO_ROOT
"""

import subprocess
import sys
from pathlib import Path

import yaml


def main():
    cli, root = sys.argv[1], Path(sys.argv[2])
    check_dir = root / "tools/tests/testdata/energy_check"
    standard_dir = root / "spec/lepton-v1"
    checked = subprocess.run([cli, "spec", "check", str(check_dir)], capture_output=True, text=True)
    failures = []
    if checked.returncode != 0:
        failures.append(f"spec check failed: {checked.stdout}{checked.stderr}")

    check = yaml.safe_load((check_dir / "lepton.yaml").read_text())
    profiles = yaml.safe_load((standard_dir / "profiles.yaml").read_text())["profiles"]
    workloads = yaml.safe_load((standard_dir / "workloads.yaml").read_text())["workloads"]
    energy = yaml.safe_load((standard_dir / "requirements/energy.yaml").read_text())

    profile = check["profiles"]["gpu-energy"]
    gpu = profiles["gpu"]
    for key in ("devices", "scale", "requires", "energy"):
        if profile.get(key) != gpu.get(key):
            failures.append(f"profile {key}: {profile.get(key)!r}, the gpu profile's {gpu.get(key)!r}")

    standard_workload = dict(workloads["fashion-mlp"])
    standard_workload.pop("scale", None)  # the small scale is not used here
    if check["workloads"]["fashion-mlp"] != standard_workload:
        failures.append(f"fashion-mlp: {check['workloads']['fashion-mlp']!r}, "
                        f"the standard's {standard_workload!r}")

    (mine,) = check["requirements"]
    theirs = next(r for r in energy["requirements"] if r["id"] == mine["id"])
    for key in ("kind", "level", "workload", "metric", "unit", "statistic", "methods"):
        if mine.get(key) != theirs.get(key):
            failures.append(f"{mine['id']} {key}: {mine.get(key)!r}, the standard's {theirs.get(key)!r}")
    runs = theirs["runs"]
    if mine["runs"] != (runs.get("gpu", runs.get("all")) if isinstance(runs, dict) else runs):
        failures.append(f"{mine['id']} runs: {mine['runs']!r}, the standard's {runs!r}")
    threshold = theirs["threshold"]
    if mine["threshold"] != {"op": threshold["op"], "gpu-energy": threshold["gpu"]}:
        failures.append(f"{mine['id']} threshold: {mine['threshold']!r}, the standard's gpu "
                        f"{threshold['op']} {threshold['gpu']!r}")

    for failure in failures:
        print("energy_check_spec:", failure)
    print("energy_check_spec:", "FAILED" if failures else "the check spec follows the standard")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
