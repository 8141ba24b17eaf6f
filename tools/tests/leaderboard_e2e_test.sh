#!/usr/bin/env bash
# End to end: real `lepton-cert run --profile ci` reports go through render -> sign -> verify ->
# leaderboard (two runs, so their measured figures differ, a tampered copy and an unsigned copy); headless
# Chromium then loads the generated site from the file system, and the test checks the table's
# rows and both sort orders in the DOM the browser built, and saves a screenshot.
set -euo pipefail
cli=$1
root=$2
artifacts=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chromium=$(command -v chromium || true)
if [[ -z "$chromium" ]]; then
  echo "FAIL: chromium not found; tools/setup/install_deps.sh installs Debian's chromium"
  exit 1
fi

for run in run run2; do
  set +e
  "$cli" run --profile ci --out "$work/$run" >"$work/$run.log" 2>&1
  code=$?
  set -e
  if [[ $code -gt 1 || ! -f "$work/$run/report.json" ]]; then
    cat "$work/$run.log"
    echo "FAIL: lepton-cert run gave exit $code and no report"
    exit 1
  fi
done
for format in html md junit; do
  "$cli" report render "$work/run/report.json" --format "$format" -o "$work/rendered.$format"
done
grep -q '<testsuites' "$work/rendered.junit"

mkdir -p "$work/in" "$work/trusted"
"$cli" keygen --out "$work/lab.key" >/dev/null
cp "$work/lab.key.pub" "$work/trusted/"
"$cli" report sign "$work/run/report.json" --key "$work/lab.key" -o "$work/in/run1.json" >/dev/null
"$cli" verify "$work/in/run1.json" --pubkey "$work/lab.key.pub" >/dev/null

/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
report = json.load(open(f"{work}/in/run1.json"))
# Tampered: a measurement raised after signing.
tampered = json.loads(json.dumps(report))
for workload in tampered["workloads"]:
    for run in workload["runs"]:
        if "rows_per_second" in run["metrics"]:
            run["metrics"]["rows_per_second"] *= 10
json.dump(tampered, open(f"{work}/in/tampered.json", "w"), indent=2)
unsigned = dict(report)
unsigned.pop("signature")
json.dump(unsigned, open(f"{work}/in/unsigned.json", "w"), indent=2)
open(f"{work}/RELEASES", "w").write(f"{report['spec']['version']} {report['spec']['sha256']}\n")
PY
"$cli" report sign "$work/run2/report.json" --key "$work/lab.key" -o "$work/in/run2.json" >/dev/null

# The draft spec is not released: by default every report is rejected for it.
"$cli" leaderboard "$work/in" --trusted-keys "$work/trusted" -o "$work/site-default" \
  >"$work/default.log"
grep -q "0 ranked" "$work/default.log"
grep -q "is not a released version" "$work/site-default/index.html"

"$cli" leaderboard "$work/in" --trusted-keys "$work/trusted" --releases "$work/RELEASES" \
  -o "$work/site" | tee "$work/board.log"
grep -q "4 reports: 2 ranked in 1 group, 2 rejected" "$work/board.log"
for id in $(/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join(e['report_id'] for g in d['groups'] for e in g['entries']))" "$work/site/leaderboard.json"); do
  "$cli" verify "$work/site/reports/$id.json" --pubkey "$work/lab.key.pub" >/dev/null
  test -s "$work/site/reports/$id.html"
done

browse() {  # browse URL OUT: the DOM after the page's scripts ran
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}
column=$(/usr/bin/python3 - "$work/site/index.html" <<'PY'
import re, sys
header = re.search(r'<table class="board" id="g0"><thead><tr>(.*?)</tr>', open(sys.argv[1]).read())
cells = re.findall(r"<th[^>]*>(.*?)</th>", header.group(1))
print(next(i for i, c in enumerate(cells) if c.startswith("rows_per_second")))
PY
)
for order in asc desc; do
  browse --dump-dom "file://$work/site/index.html#sort=g0:$column:$order" >"$work/dom.$order.html"
done
/usr/bin/python3 - "$work" "$column" <<'PY'
import html.parser, json, sys
work, column = sys.argv[1], int(sys.argv[2])

class Table(html.parser.HTMLParser):
    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.headers = table_id, False, [], []
        self.cell = None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = attrs.get("data-v", "")
        elif self.inside and tag == "th":
            self.headers.append(attrs.get("aria-sort"))
    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag == "td":
            self.rows[-1].append(self.cell)
            self.cell = None

board = json.load(open(f"{work}/site/leaderboard.json"))
ids = {e["report_id"] for e in board["groups"][0]["entries"]}
for order in ("asc", "desc"):
    table = Table("g0")
    table.feed(open(f"{work}/dom.{order}.html").read())
    rows = [r for r in table.rows if r]
    assert len(rows) == 2, f"{order}: expected 2 ranked rows, found {len(rows)}"
    shown = {r[-1] for r in rows}
    assert shown == ids, f"{order}: rows {shown} are not the ranked reports {ids}"
    values = [float(r[column]) for r in rows]
    assert values[0] != values[1], "two runs measured the same figure: sorting is untested"
    expected = sorted(values, reverse=(order == "desc"))
    assert values == expected, f"{order}: column {column} not sorted: {values}"
    want = "ascending" if order == "asc" else "descending"
    assert table.headers[column] == want, f"{order}: header says {table.headers[column]}"
    rejected = Table("rejected")
    rejected.feed(open(f"{work}/dom.{order}.html").read())
    assert len([r for r in rejected.rows if r]) == 2, "expected 2 rejected reports"
print("browser: 2 ranked rows and 2 rejected reports; sorting ascending and descending works")
PY
mkdir -p "$artifacts"
browse --screenshot="$artifacts/leaderboard.png" --window-size=1400,800 \
  "file://$work/site/index.html#sort=g0:$column:desc" >/dev/null
test -s "$artifacts/leaderboard.png"
echo "screenshot: $artifacts/leaderboard.png"
