#!/usr/bin/env bash
# The NCCL path of `lepton-cert run` end to end: a profile with devices: cuda and comm: nccl
# (tools/tests/testdata/nccl_check), alone and, when a launcher is given, under it with two ranks.
# Without a GPU (or without the CUDA module or NCCL) the collectives are not measured with the
# reason, every rank exits promptly and the report states ranks and nodes; with GPUs they run
# over NCCL on device buffers and every result element is exact. The data-parallel MNIST follows
# the collectives: not measured with the same reason, or trained over NCCL on the ranks' GPUs
# (under nccl-local, one model per GPU driven by this one process through the group).
#   nccl_path_test.sh LEPTON_CERT SPEC_DIR [MPIEXEC MPIEXEC_FLAGS...]
set -euo pipefail
cli=$1
spec=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The collectives: not measured with the reason (the log saying NOT_SET_UP), or run over
# COMMUNICATOR on device buffers named BUFFERS..., every element exact.
check() {  # OUT_DIR RANKS LOG COMMUNICATOR NOT_SET_UP BUFFERS
  /usr/bin/python3 - "$1/report.json" "$2" "$3" "$4" "$5" "$6" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ranks = float(sys.argv[2])
log = open(sys.argv[3]).read()
communicator, not_set_up, buffers = sys.argv[4:7]
facts = report["run"]["facts"]["values"]
assert facts["ranks"] == ranks, facts
assert facts["nodes"] == 1.0, facts
(workload,) = [w for w in report["workloads"] if w["name"] == "collectives"]
reason = workload.get("unavailable_reason", "")
if reason:
    # No GPU here: not measured, saying why, never an error.
    assert not workload.get("error"), workload
    assert "CUDA" in reason or "NCCL" in reason or "cuda" in reason, reason
    assert not_set_up in log, log
    verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
    assert verdicts["NCCL-WRONG"] == "not-measured", verdicts
    print(f"{int(ranks)} rank(s), {communicator}: not measured: {reason}")
else:
    run = [r for r in workload["runs"] if not r.get("warmup")][0]
    values = run["metrics"]
    assert values["communicator"] == communicator, values
    assert values["buffers"].startswith(buffers), values
    assert values["wrong_elements"] == 0, values
    assert values["ranks"] == ranks, values
    print(f"{int(ranks)} rank(s): {communicator} on {values['buffers']}, 0 wrong elements")
PY
}

# The data-parallel MNIST, after the collectives: not measured with the collectives' reason (or,
# on a GPU node without Fashion-MNIST, that one), or trained over COMMUNICATOR and judged.
check_mlp() {  # OUT_DIR RANKS COMMUNICATOR
  /usr/bin/python3 - "$1/report.json" "$2" "$3" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ranks = float(sys.argv[2])
(collectives,) = [w for w in report["workloads"] if w["name"] == "collectives"]
reason = collectives.get("unavailable_reason", "")
(mlp,) = [w for w in report["workloads"] if w["name"] == "mlp-data-parallel"]
mlp_reason = mlp.get("unavailable_reason", "")
verdict = {r["id"]: r["verdict"] for r in report["requirements"]}["NCCL-MLP-DP-ACCURACY"]
if mlp_reason:
    # No GPU here (or no Fashion-MNIST on a GPU node): not measured, saying why, never an error.
    assert not mlp.get("error"), mlp
    assert not reason or mlp_reason == reason or "Fashion" in mlp_reason, (mlp_reason, reason)
    assert verdict == "not-measured", verdict
    print(f"{int(ranks)} rank(s): data-parallel MNIST not measured: {mlp_reason}")
else:
    run = [r for r in mlp["runs"] if not r.get("warmup")][0]
    values = run["metrics"]
    assert values["gradient_communicator"] == sys.argv[3], values
    assert values["compute_device"].startswith("cuda:"), values
    assert values["ranks"] == ranks, values
    assert verdict == "pass", (verdict, values)
    print(f"{int(ranks)} rank(s): data-parallel MNIST over {sys.argv[3]} on "
          f"{values['compute_device']}")
PY
}

set +e
timeout 120 "$cli" run --spec "$spec" --profile nccl-here --out "$work/one" >"$work/one.log" 2>&1
code=$?
set -e
[[ $code -le 1 ]] || { cat "$work/one.log"; fail "alone: expected exit 0 or 1, got $code"; }
check "$work/one" 1 "$work/one.log" nccl "NCCL is not set up" cuda: ||
  { cat "$work/one.log"; fail "alone: report"; }
check_mlp "$work/one" 1 nccl || { cat "$work/one.log"; fail "alone: data-parallel MNIST"; }

if [[ $# -gt 0 ]]; then
  set +e
  timeout 120 "$@" -n 2 --bind-to none "$cli" run --spec "$spec" --profile nccl-here \
    --out "$work/two" >"$work/two.log" 2>&1
  code=$?
  set -e
  # Not certified ends rank 0 with 1, which mpirun passes on; 124 would be a hang.
  [[ $code -le 1 ]] || { cat "$work/two.log"; fail "two ranks: expected exit 0 or 1, got $code"; }
  check "$work/two" 2 "$work/two.log" nccl "NCCL is not set up" cuda: ||
    { cat "$work/two.log"; fail "two ranks: report"; }
  check_mlp "$work/two" 2 nccl || { cat "$work/two.log"; fail "two ranks: data-parallel MNIST"; }
fi
# The single-process mode (comm: nccl-local): alone, the ranks fact is the GPUs this process
# sees (ncclCommInitAll makes one NCCL rank per GPU); without one, not measured with the reason.
set +e
timeout 120 "$cli" run --spec "$spec" --profile nccl-local-here --out "$work/local" \
  >"$work/local.log" 2>&1
code=$?
set -e
[[ $code -le 1 ]] || { cat "$work/local.log"; fail "nccl-local: expected exit 0 or 1, got $code"; }
gpus=$(/usr/bin/python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["run"]["facts"]["values"]["gpus"]))' "$work/local/report.json")
local_name="nccl (single process, ncclCommInitAll)"
check "$work/local" "$gpus" "$work/local.log" "$local_name" "single-process group is not set up" \
  cuda:0 || { cat "$work/local.log"; fail "nccl-local: report"; }
# The data-parallel MNIST drives one model per GPU through the same group.
check_mlp "$work/local" "$gpus" "$local_name" ||
  { cat "$work/local.log"; fail "nccl-local: data-parallel MNIST"; }

if [[ $# -gt 0 ]]; then
  # One process drives every GPU: several ranks are refused up front, with the reason.
  set +e
  timeout 120 "$@" -n 2 --bind-to none "$cli" run --spec "$spec" --profile nccl-local-here \
    --out "$work/local-two" >"$work/local-two.log" 2>&1
  code=$?
  set -e
  [[ $code -eq 2 ]] || { cat "$work/local-two.log"; fail "nccl-local, two ranks: expected 2, got $code"; }
  grep -q "comm: nccl-local.*launched as 2 processes" "$work/local-two.log" ||
    { cat "$work/local-two.log"; fail "nccl-local, two ranks: no reason"; }
  echo "nccl-local under 2 ranks: refused"
fi
echo "nccl path: ok"
