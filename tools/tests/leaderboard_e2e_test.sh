#!/usr/bin/env bash
# End to end: real `lepton-cert run --profile ci` reports go through render -> sign -> verify ->
# leaderboard (two runs, so their measured figures differ, beside a tampered copy, an unsigned
# copy, one signed by an untrusted key, a draft-spec report and malformed JSON); headless
# Chromium then loads the generated site from the file system, and the test checks what a person
# sees: the ranking's rows and both sort orders, the rejected page, a report page's verdict; and
# saves a screenshot of the index.
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

# What the leaderboard must refuse, beside the two good reports: a measurement raised after
# signing, no signature, a report signed by a key nobody trusts, one against a draft spec (the
# quick example suite) and a file that is not JSON.
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
report = json.load(open(f"{work}/in/run1.json"))
tampered = json.loads(json.dumps(report))
for workload in tampered["workloads"]:
    for run in workload["runs"]:
        if "rows_per_second" in run["metrics"]:
            run["metrics"]["rows_per_second"] *= 10
json.dump(tampered, open(f"{work}/in/tampered.json", "w"), indent=2)
unsigned = dict(report)
unsigned.pop("signature")
json.dump(unsigned, open(f"{work}/in/unsigned.json", "w"), indent=2)
open(f"{work}/in/malformed.json", "w").write('{"schema_version": 1, "verdict": ')
PY
"$cli" report sign "$work/run2/report.json" --key "$work/lab.key" -o "$work/in/run2.json" >/dev/null
"$cli" keygen --out "$work/stranger.key" >/dev/null
"$cli" report sign "$work/run2/report.json" --key "$work/stranger.key" \
  -o "$work/in/untrusted.json" >/dev/null
set +e
"$cli" run --spec "$root/spec/examples/quick" --profile quick --out "$work/draft" >"$work/draft.log" 2>&1
set -e
"$cli" report sign "$work/draft/report.json" --key "$work/lab.key" -o "$work/in/draft.json" >/dev/null

# The embedded standard is released (spec/RELEASES is built in): its reports rank with no
# --releases; the site is written for them and the exit code says that others were rejected.
set +e
"$cli" leaderboard "$work/in" --trusted-keys "$work/trusted" -o "$work/site" >"$work/board.log"
code=$?
set -e
cat "$work/board.log"
[[ $code -eq 1 ]] || { echo "FAIL: leaderboard exit $code with rejected reports, expected 1"; exit 1; }
grep -q "^7 reports: 2 ranked in 1 group, 5 rejected" "$work/board.log"
grep -q "^rejected draft.json: .*is not a released version" "$work/board.log"
grep -q "^rejected malformed.json: " "$work/board.log"
grep -q "^rejected untrusted.json: " "$work/board.log"
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
print(next(i for i, c in enumerate(cells) if "<br>rows_per_second" in c))
PY
)
for order in asc desc; do
  browse --dump-dom "file://$work/site/index.html#sort=g0:$column:$order" >"$work/dom.$order.html"
done
browse --dump-dom "file://$work/site/rejected.html" >"$work/dom.rejected.html"
first_id=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['groups'][0]['entries'][0]['report_id'])" "$work/site/leaderboard.json")
browse --dump-dom "file://$work/site/reports/$first_id.html" >"$work/dom.report.html"
/usr/bin/python3 - "$work" "$column" "$first_id" <<'PY'
import html.parser, json, sys
work, column, first_id = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Table(html.parser.HTMLParser):
    """Rows of one table as the browser built it: each cell's sort value and its text."""
    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.texts, self.headers = table_id, False, [], [], []
        self.cell = None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
            self.texts.append("")
        elif self.inside and tag == "td":
            self.cell = attrs.get("data-v", "")
        elif self.inside and tag == "th":
            self.headers.append(attrs.get("aria-sort"))
    def handle_data(self, data):
        if self.inside and self.texts:
            self.texts[-1] += data
    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag == "td":
            self.rows[-1].append(self.cell)
            self.cell = None

class Verdict(html.parser.HTMLParser):
    """The text of the report page's verdict banner (div class v)."""
    def __init__(self):
        super().__init__()
        self.inside, self.text = False, ""
    def handle_starttag(self, tag, attrs):
        self.inside = tag == "div" and "v" in (dict(attrs).get("class") or "").split()
    def handle_data(self, data):
        if self.inside:
            self.text += data
    def handle_endtag(self, tag):
        self.inside = False

board = json.load(open(f"{work}/site/leaderboard.json"))
ids = {e["report_id"] for e in board["groups"][0]["entries"]}
assert {e["source"] for e in board["groups"][0]["entries"]} == {"run1.json", "run2.json"}
for order in ("asc", "desc"):
    page = open(f"{work}/dom.{order}.html").read()
    table = Table("g0")
    table.feed(page)
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
    for name in ("tampered", "untrusted", "draft", "malformed", "unsigned"):
        assert name not in "".join(table.texts), f"{order}: {name} is in the ranking"
    assert "5 rejected" in page, f"{order}: the index does not count 5 rejected reports"

rejected = Table("rejected")
rejected.feed(open(f"{work}/dom.rejected.html").read())
listed = {text.split(".json")[0] + ".json": text for text in rejected.texts if ".json" in text}
assert set(listed) == {"tampered.json", "unsigned.json", "untrusted.json", "draft.json",
                       "malformed.json"}, f"rejected page lists {sorted(listed)}"
assert "is not a released version" in listed["draft.json"], listed["draft.json"]
assert "signature" in listed["tampered.json"] or "digest" in listed["tampered.json"], listed["tampered.json"]

verdict = Verdict()
verdict.feed(open(f"{work}/dom.report.html").read())
report = json.load(open(f"{work}/site/reports/{first_id}.json"))
expected = "CERTIFIED" if report["verdict"]["certified"] else "NOT CERTIFIED"
assert verdict.text.strip() == expected, f"report page shows {verdict.text!r}, report says {expected}"
print(f"browser: 2 ranked rows sorted both ways, 5 rejected reports on rejected.html and none in "
      f"the ranking, report page verdict {expected}")
PY
mkdir -p "$artifacts"
browse --screenshot="$artifacts/leaderboard.png" --window-size=1400,800 \
  "file://$work/site/index.html#sort=g0:$column:desc" >/dev/null
test -s "$artifacts/leaderboard.png"
echo "screenshot: $artifacts/leaderboard.png"
