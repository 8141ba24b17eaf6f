#!/usr/bin/env python3
"""Validates JSON or YAML files against a JSON Schema (draft 2020-12).

usage: validate_json_schema.py SCHEMA FILE...
Exits 1 and names the file and the JSON path of every violation.
"""
import json
import pathlib
import sys

import jsonschema
import yaml


def load(path: pathlib.Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    return json.loads(text)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.loads(pathlib.Path(argv[1]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for name in argv[2:]:
        path = pathlib.Path(name)
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
        for error in errors:
            location = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {location}: {error.message}")
        failures += len(errors)
        if not errors:
            print(f"{path}: valid against {argv[1]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
