#!/usr/bin/env python3
"""Checks the invariants of a certification report that its schema cannot express.

usage: check_report.py REPORT.json
- certified exactly when every MUST requirement passed (and at least one was judged);
- the verdict counts agree with the requirement list;
- every pass/fail names its measured values, one per judged run, and no warm-up run is judged;
- not-applicable only where the spec stated an applies_if condition;
- an energy requirement passes or fails only on runs measured by a method it accepts, each with
  its evidence (tier, meter, readings, timed seconds); not measured, it says why.
"""
import json
import sys


def main(path):
    report = json.load(open(path, encoding="utf-8"))
    problems = []
    requirements = report["requirements"]
    musts = [r for r in requirements if r["level"] == "MUST" and r["verdict"] != "not-applicable"]
    shoulds = [r for r in requirements if r["level"] == "SHOULD" and r["verdict"] != "not-applicable"]
    verdict = report["verdict"]
    expected_certified = bool(musts) and all(r["verdict"] == "pass" for r in musts)
    if verdict["certified"] != expected_certified:
        problems.append(f"certified={verdict['certified']} but MUST verdicts say {expected_certified}")
    if verdict["result"] != ("certified" if verdict["certified"] else "not-certified"):
        problems.append("verdict.result disagrees with verdict.certified")
    counts = {
        "must_total": len(musts),
        "must_passed": sum(r["verdict"] == "pass" for r in musts),
        "should_total": len(shoulds),
        "should_passed": sum(r["verdict"] == "pass" for r in shoulds),
        "not_applicable": sum(r["verdict"] == "not-applicable" for r in requirements),
    }
    for key, value in counts.items():
        if verdict[key] != value:
            problems.append(f"verdict.{key} is {verdict[key]}, requirements give {value}")
    workloads = {w["name"]: w for w in report["workloads"]}
    for r in requirements:
        if r["verdict"] == "not-applicable" and r["applies_if"] is None:
            problems.append(f"{r['id']}: not-applicable without an applies_if condition")
        if r["kind"] == "energy" and r["verdict"] == "not-measured" and not r["reason"].strip():
            problems.append(f"{r['id']}: energy not measured without a reason")
        if r["verdict"] not in ("pass", "fail"):
            continue
        if len(r["values"]) < r["runs_required"]:
            problems.append(f"{r['id']}: {len(r['values'])} values for {r['runs_required']} runs")
        runs = {run["index"]: run for run in workloads[r["workload"]]["runs"] if not run["warmup"]}
        for index, value in zip(r["run_indices"], r["values"]):
            if runs[index]["metrics"].get(r["metric"]) != value:
                problems.append(f"{r['id']}: value of run {index} differs from the raw measurement")
            energy = runs[index].get("energy")
            if r["kind"] != "energy":
                continue
            if not energy or energy["tier"] not in r["methods"]:
                problems.append(f"{r['id']}: run {index} judged without an accepted method")
            elif energy["samples"] < 1 or not energy["covered_s"] or energy["passes"] < 1:
                problems.append(f"{r['id']}: run {index} has no readings behind its figure")
    for problem in problems:
        print(f"{path}: {problem}")
    if not problems:
        print(f"{path}: report invariants hold ({len(requirements)} requirements)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
