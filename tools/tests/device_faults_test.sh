#!/usr/bin/env bash
# Device faults end to end, on any machine: lepton-cert is copied into T/bin/ and the test-only
# fault-injection stand-in (bench/backends/testdata/fault_injecting_cuda_standin.cc) into
# T/lib/liblepton_cuda.so, where the loader looks first, and runs tools/tests/testdata/device_faults
# (devices: cuda) with a fault chosen by LEPTON_CUDA_STANDIN_FAULT:
#   lost     the GPU disappears after 3 training batches (a sticky cudaErrorLaunchFailure, as when
#            a GPU falls off the bus; and cudaErrorECCUncorrectable)
#   oom      no device allocation succeeds (cudaErrorMemoryAllocation): each GPU workload fails
#            where it places its data
#   hang     the GPU hangs after 3 training batches (its work never completes): the epoch's
#            bounded wait gives up after LEPTON_DEVICE_TIMEOUT_S (2 s here), the next GPU workload
#            is refused at once, and the stand-in's teardown at exit then blocks forever, as
#            CUDA's would, so the run must end without it (tools/cli/hung_device_exit.h)
# Each run must end within its timeout with exit 1 (not certified), name the failing operation and
# CUDA error, write a complete report that verifies (signature, spec, every verdict recomputed) and
# validates against the schema, mark the GPU workload's requirement an error (never pass) with
# the reason, and still measure the host workload; the stand-in's description, which says what it
# is, is the report's compute_device wherever it computed.
#   device_faults_test.sh LEPTON_CERT STANDIN_MODULE REPO_ROOT
set -euo pipefail
cli=$1
standin=$2
root=$3
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/bin" "$work/lib"
cp "$cli" "$work/bin/lepton-cert"
cp "$standin" "$work/lib/liblepton_cuda.so"
cert=$work/bin/lepton-cert
"$cert" keygen --out "$work/key" >/dev/null
spec=$root/tools/tests/testdata/device_faults
data=fashion-mnist=/usr/share/datasets/fashion-mnist

run_fault() {  # NAME FAULT [TIMEOUT_S]
  set +e
  LEPTON_CUDA_STANDIN_FAULT=$2 timeout "${3:-300}" "$cert" run --spec "$spec" --profile cuda-here \
    --data "$data" --energy none --sign "$work/key" --out "$work/$1" >"$work/$1.log" 2>&1
  local code=$?
  set -e
  # 124 would be a hang, 128+ a crash or a signal, 3 an internal error of the harness.
  [[ $code -eq 1 ]] || { cat "$work/$1.log"; fail "$1: expected exit 1 (not certified), got $code"; }
  "$cert" verify "$work/$1/report.json" --pubkey "$work/key.pub" >"$work/$1.verify" 2>&1 ||
    { cat "$work/$1.verify"; fail "$1: the report does not verify"; }
  $py "$root/tools/tests/validate_json_schema.py" "$root/spec/schema/report.schema.json" \
    "$work/$1/report.json" >/dev/null || fail "$1: the report does not match its schema"
  $py "$root/tools/tests/check_report.py" "$work/$1/report.json" ||
    fail "$1: the report's invariants"
}

# Checks common to every fault, then the fault's own: REPORT LOG FAULT
check_report() {
  $py - "$@" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
fault = sys.argv[3]
workloads = {w["name"]: w for w in report["workloads"]}
verdicts = {r["id"]: r for r in report["requirements"]}
standin = "fault-injection stand-in"

assert report["verdict"]["certified"] is False, report["verdict"]
assert "FAULT-TRAIN" in " ".join(report["verdict"].get("blocking", [])) or \
    "blocking: FAULT-TRAIN (error)" in log, (report["verdict"], log)
# The host workload is measured and passes whatever the device did.
assert verdicts["FAULT-LAPACK"]["verdict"] == "pass", verdicts["FAULT-LAPACK"]
if fault != "oom":
    # Inference before any fault ran on the stand-in, and says so where a GPU's name would be.
    before = [r for r in workloads["inference-before"]["runs"] if not r.get("warmup")]
    assert before and not any(r.get("error") for r in before), workloads["inference-before"]
    assert standin in before[0]["metrics"]["compute_device"], before[0]["metrics"]
    assert verdicts["FAULT-INFER-BEFORE"]["verdict"] == "pass", verdicts["FAULT-INFER-BEFORE"]

train = workloads["fashion-mlp"]
train_verdict = verdicts["FAULT-TRAIN"]
# Never passed, never silently not applicable: an error with the device's reason.
assert train_verdict["verdict"] == "error", train_verdict
after = workloads["inference-after"]
after_verdict = verdicts["FAULT-INFER-AFTER"]

def failure(record):
    if record.get("error"):
        return record["error"]
    for run in record.get("runs", []):
        if run.get("error"):
            return run["error"]
    return ""

if fault == "lost":
    # The device was lost in the first epoch: the run failed at the epoch's synchronization
    # with the sticky error, its metrics unrecorded.
    (run,) = train["runs"]
    assert run["error"].startswith("step epoch_1: INTERNAL: cuda:0: TrainEpoch: "
                                   "cudaEventQuery: cudaErrorLaunchFailure (unspecified "
                                   "launch failure)"), run
    assert not run.get("metrics", {}).get("values"), run
    assert "cudaErrorLaunchFailure" in train_verdict["reason"], train_verdict
    assert "fashion-mlp: run 1/1 FAILED: step epoch_1" in log, log
    # Every later call fails with the same error at once: the next GPU workload cannot start.
    reason = failure(after)
    assert reason == "prepare: INTERNAL: cudaGetDevice: cudaErrorLaunchFailure (unspecified " \
        "launch failure)", after
    assert after_verdict["verdict"] == "error", after_verdict
    print(f"lost: {run['error']}")
    print(f"lost, the next GPU workload: {reason}")
elif fault == "ecc":
    (run,) = train["runs"]
    assert run["error"] == "step epoch_2: INTERNAL: cuda:0: TrainEpoch: cudaEventQuery: " \
        "cudaErrorECCUncorrectable (uncorrectable ECC error encountered)", run
    assert after_verdict["verdict"] == "error", after_verdict
    print(f"ecc: {run['error']}")
elif fault == "hang":
    # The epoch's bounded wait gave up after the limit and called the device hung (a watchdog
    # fired: DEADLINE_EXCEEDED), its metrics unrecorded.
    (run,) = train["runs"]
    assert run["error"] == "step epoch_1: DEADLINE_EXCEEDED: cuda:0: TrainEpoch: the GPU's work " \
        "has not completed within 2.0 s (LEPTON_DEVICE_TIMEOUT_S); the device is hung", run
    assert not run.get("metrics", {}).get("values"), run
    assert "LEPTON_DEVICE_TIMEOUT_S" in train_verdict["reason"], train_verdict
    # The next GPU workload is refused at once, naming the hang, instead of waiting again.
    reason = failure(after)
    assert reason == "prepare: DEADLINE_EXCEEDED: cudaGetDevice: refused, cuda:0 hung earlier " \
        "in this run (TrainEpoch did not complete within 2.0 s, LEPTON_DEVICE_TIMEOUT_S)", after
    assert after_verdict["verdict"] == "error", after_verdict
    clock = {m.group(2): float(m.group(1)) for m in re.finditer(
        r"^\[ *([0-9.]+)s\] inference-after(?: \(mnist_mlp_infer\))?: (preparing|FAILED)", log,
        re.M)}
    assert clock["FAILED"] - clock["preparing"] < 2.0, clock
    # The report was written, then the process ended without the teardown that would hang.
    assert "lepton-cert: cuda:0 hung: TrainEpoch did not complete within 2.0 s " \
        "(LEPTON_DEVICE_TIMEOUT_S)\n" in log, log
    assert "lepton-cert: ending with exit code 1 without releasing the GPU" in log, log
    assert "Report: " in log, log
    print(f"hang: {run['error']}")
    print(f"hang, the next GPU workload: {reason}")
else:
    # No device allocation succeeds: each GPU workload fails in prepare, where it places its
    # data, naming the allocation and its size; no run is started.
    for name, what, size in (("inference-before", "resident inference inputs", 31360000),
                             ("fashion-mlp", "training images", 1568000),
                             ("inference-after", "resident inference inputs", 31360000)):
        reason = failure(workloads[name])
        assert not workloads[name].get("runs"), workloads[name]
        assert reason == f"prepare: RESOURCE_EXHAUSTED: cuda:0: cudaMalloc of {size} bytes for " \
            f"the {what}: cudaErrorMemoryAllocation (out of memory)", reason
        assert f"{name}: FAILED: prepare: RESOURCE_EXHAUSTED" in log, log
    assert "cudaErrorMemoryAllocation" in train_verdict["reason"], train_verdict
    assert verdicts["FAULT-INFER-BEFORE"]["verdict"] == "error", verdicts["FAULT-INFER-BEFORE"]
    print(f"oom: {failure(train)}")
PY
}

# The baseline: with no fault the stand-in trains and infers with host arithmetic, every
# requirement passes (exit 0), and the report names the stand-in as the compute device; so what
# the faults below change is the fault's doing.
set +e
LEPTON_CUDA_STANDIN_FAULT=none timeout 300 "$cert" run --spec "$spec" --profile cuda-here \
  --data "$data" --energy none --out "$work/none" >"$work/none.log" 2>&1
code=$?
set -e
[[ $code -eq 0 ]] || { cat "$work/none.log"; fail "none: expected exit 0, got $code"; }
$py - "$work/none/report.json" <<'PY' || { cat "$work/none.log"; fail "none: report"; }
import json, sys
report = json.load(open(sys.argv[1]))
(train,) = [w for w in report["workloads"] if w["name"] == "fashion-mlp"]
device = train["runs"][0]["metrics"]["compute_device"]
assert device.startswith("cuda:0 fault-injection stand-in") and "not evidence" in device, device
print(f"none: certified, compute_device {device}")
PY

run_fault lost lost-after-batches:3:launch-failure
check_report "$work/lost/report.json" "$work/lost.log" lost ||
  { cat "$work/lost.log"; fail "lost: report"; }
run_fault ecc lost-after-batches:40:ecc-uncorrectable
check_report "$work/ecc/report.json" "$work/ecc.log" ecc || { cat "$work/ecc.log"; fail "ecc: report"; }
run_fault oom out-of-memory
check_report "$work/oom/report.json" "$work/oom.log" oom || { cat "$work/oom.log"; fail "oom: report"; }
# A hung GPU: without the host's exit that skips teardown, the stand-in's teardown blocks and
# `timeout` ends the run with 124.
LEPTON_DEVICE_TIMEOUT_S=2 run_fault hang hang-after-batches:3 120
check_report "$work/hang/report.json" "$work/hang.log" hang ||
  { cat "$work/hang.log"; fail "hang: report"; }

# Without its variable the stand-in measures nothing: every GPU workload is not measured,
# naming it, so a stray copy in a real lib/ cannot produce evidence.
set +e
timeout 300 "$cert" run --spec "$spec" --profile cuda-here --data "$data" --energy none \
  --out "$work/unset" >"$work/unset.log" 2>&1
code=$?
set -e
[[ $code -eq 1 ]] || { cat "$work/unset.log"; fail "unset: expected exit 1, got $code"; }
$py - "$work/unset/report.json" <<'PY' || { cat "$work/unset.log"; fail "unset: report"; }
import json, sys
report = json.load(open(sys.argv[1]))
for w in report["workloads"]:
    if w["name"] == "system":
        continue
    assert "fault-injection stand-in" in w.get("unavailable_reason", ""), w
    assert not w.get("runs"), w
verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
assert verdicts["FAULT-TRAIN"] == "not-measured", verdicts
print("unset: every GPU workload not measured, naming the stand-in")
PY
echo "device faults: ok"
