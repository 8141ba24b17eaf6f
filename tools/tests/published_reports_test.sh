#!/usr/bin/env bash
# e2e.published_reports: every signed report under reports/published/ still verifies with the
# keys published beside it (signature, embedded spec digest, and every verdict recomputed from
# the raw measurements by today's code), and the leaderboard reads them all. A change that can no
# longer read or re-judge a published report fails here; so does a tampered one.
set -uo pipefail
cli=$1
published=$2/reports/published
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
shopt -s nullglob
reports=("$published"/*.json)
if ((${#reports[@]} == 0)); then
  echo "published_reports: no reports in $published"
  exit 1
fi
for report in "${reports[@]}"; do
  if ! "$cli" verify "$report" --trusted-keys "$published/keys"; then
    echo "FAIL: $report does not verify"
    failures=$((failures + 1))
  fi
done
# The leaderboard reads every report and ranks those against a released version of the standard;
# a report against a draft (the H200 one of 2026-11-30, taken before 1.0.0 was cut) is listed as
# rejected with that reason, which alone makes the command exit 1.
"$cli" leaderboard "$published" --trusted-keys "$published/keys" -o "$work/site" \
  >"$work/leaderboard.log" 2>&1
code=$?
rejected_other=$(grep '^rejected ' "$work/leaderboard.log" | grep -vc 'is not a released version')
if [[ $code -gt 1 || $rejected_other -gt 0 ]]; then
  cat "$work/leaderboard.log"
  echo "FAIL: the leaderboard over $published (exit $code, $rejected_other other rejection(s))"
  failures=$((failures + 1))
fi
for report in "${reports[@]}"; do
  released=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
releases = [line.split() for line in open(sys.argv[2]) if line.strip() and not line.startswith("#")]
print("yes" if [r["spec"]["version"], r["spec"]["sha256"]] in releases else "no")' \
    "$report" "$2/spec/RELEASES")
  ranked=$(python3 -c 'import json, sys
board = json.load(open(sys.argv[1]))
print("yes" if any(e["source"] == sys.argv[2] for g in board["groups"] for e in g["entries"])
      else "no")' "$work/site/leaderboard.json" "$(basename "$report")")
  if [[ "$released" != "$ranked" ]]; then
    echo "FAIL: $(basename "$report"): against a released spec: $released, ranked: $ranked"
    failures=$((failures + 1))
  fi
done
if ! grep -Eq "^${#reports[@]} reports?:" "$work/leaderboard.log"; then
  cat "$work/leaderboard.log"
  echo "FAIL: the leaderboard did not read all ${#reports[@]} reports"
  failures=$((failures + 1))
fi
# A measurement changed after signing is caught.
if ! python3 - "${reports[0]}" "$work/tampered.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for workload in report["workloads"]:
    for run in workload["runs"]:
        for name, value in run["metrics"].items():
            if isinstance(value, float):
                run["metrics"][name] = value * 2
                json.dump(report, open(sys.argv[2], "w"))
                sys.exit(0)
sys.exit("no numeric metric to tamper with")
PY
then
  echo "FAIL: could not make a tampered copy of ${reports[0]}"
  failures=$((failures + 1))
elif "$cli" verify "$work/tampered.json" --trusted-keys "$published/keys" >/dev/null 2>&1; then
  echo "FAIL: a tampered copy of ${reports[0]} verifies"
  failures=$((failures + 1))
fi
echo "published_reports: ${#reports[@]} report(s), $failures failure(s)"
((failures == 0))
