#!/usr/bin/env bash
# SIGTERM during a run, then `run --resume`: the interrupted run writes a signed report marked
# incomplete (never certified) and exits 143; the resumed run measures only what was left, from
# another directory, and its report holds the first session's records unchanged.
set -euo pipefail
cli=$(realpath "$1")
root=$2
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
fail() { echo "FAIL: $*"; exit 1; }
py=/usr/bin/python3

"$cli" keygen --out "$work/key" >/dev/null
"$cli" run --profile ci --sign "$work/key" --out "$work/out" >"$work/first.log" 2>&1 &
pid=$!
# Wait until the journal holds the fourth workload (the MNIST training comes next), then stop.
for _ in $(seq 1200); do
  if [[ -f $work/out/journal.json ]] &&
    $py -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["workloads"]) < 4)' \
      "$work/out/journal.json" 2>/dev/null; then
    break
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$work/first.log"; fail "the run ended before the signal"; }
  sleep 0.1
done
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=
[[ $code -eq 143 ]] || { cat "$work/first.log"; fail "interrupted run: expected exit 143, got $code"; }
grep -q "Go on with: lepton-cert run --resume $work/out" "$work/first.log" ||
  fail "no resume hint"
"$cli" verify "$work/out/report.json" --pubkey "$work/key.pub" >"$work/verify1.log" ||
  { cat "$work/verify1.log"; fail "the interrupted report does not verify"; }
$py "$root/tools/tests/validate_json_schema.py" "$root/spec/schema/report.schema.json" \
  "$work/out/report.json" >/dev/null
cp "$work/out/journal.json" "$work/journal-first.json"
$py - "$work/out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["run"]["interrupted"] == "SIGTERM", report["run"]
assert report["verdict"]["certified"] is False
assert "run incomplete: interrupted by SIGTERM" in report["verdict"]["blocking"]
skipped = [w for w in report["workloads"] if (w["unavailable_reason"] or "").find("SIGTERM") >= 0]
assert skipped, "no workload records the interruption"
for w in skipped:
    assert w["runs"] == [], (w["name"], "an interrupted workload keeps no partial runs")
print("interrupted:", len(skipped), "workload(s) not measured:", skipped[0]["unavailable_reason"])
PY

# Resume from another directory: the journal's absolute paths carry the options.
cd "$work"
set +e
"$cli" run --resume out >"$work/resume.log" 2>&1
code=$?
set -e
[[ $code -eq 0 || $code -eq 1 ]] || { cat "$work/resume.log"; fail "resume: exit $code"; }
[[ ! -e $work/out/journal.json ]] || fail "a completed run left its journal behind"
grep -q "regression: finished by an earlier session (journal), not run again" "$work/resume.log" ||
  { cat "$work/resume.log"; fail "resume re-ran a finished workload"; }
"$cli" verify "$work/out/report.json" --pubkey "$work/key.pub" >"$work/verify2.log" ||
  { cat "$work/verify2.log"; fail "the resumed report does not verify"; }
$py - "$work/out/report.json" "$work/journal-first.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
journal = json.load(open(sys.argv[2]))
run = report["run"]
assert run["interrupted"] is None and run["sessions"] == 2, run
journaled = [w["name"] for w in journal["workloads"]]
assert run["resumed_workloads"] == journaled, (run["resumed_workloads"], journaled)
assert run["started_at"] == journal["started_at"]
by_name = {w["name"]: w for w in report["workloads"]}
for earlier in journal["workloads"]:
    # Not run again: the same runs, to the last digit of every step's time.
    assert by_name[earlier["name"]]["runs"] == earlier["runs"], earlier["name"]
for w in report["workloads"]:
    assert "interrupted" not in (w["unavailable_reason"] or ""), w["name"]
print("resumed:", len(journaled), "workload(s) from the journal, verdict",
      report["verdict"]["result"])
PY
# A finished run has nothing to resume.
set +e
"$cli" run --resume out >"$work/again.log" 2>&1
code=$?
set -e
[[ $code -eq 2 ]] && grep -q "no journal" "$work/again.log" || fail "resuming a finished run: $code"
echo "interrupt and resume: ok"
