#!/usr/bin/env python3
"""Validates npusim output against reports/schema/npusim.schema.json (the subset of JSON Schema
2020-12 that file uses: $ref, type, const, enum, minimum, maximum, required, properties,
patternProperties, additionalProperties, items), without third-party packages.

    validate_schema.py SCHEMA run FILE.json          # npusim run --json / summary.json
    validate_schema.py SCHEMA compare FILE.json      # npusim compare --json
    validate_schema.py SCHEMA sweep FILE.jsonl       # every line of a sweep results file

For sweeps it also checks that every metric of the header's metric_definitions (the vocabulary
of sim/metrics.cpp) is documented in the schema. Exit 1 with every violation listed."""
import json
import re
import sys

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def check(schema, value, path, root, errors):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        check(root["$defs"][name], value, path, root, errors)
    t = schema.get("type")
    if t == "number" or t == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (t == "integer" and value != int(value)):
            errors.append(f"{path}: expected {t}, got {json.dumps(value)[:60]}")
            return
    elif t is not None and not isinstance(value, TYPES[t]):
        errors.append(f"{path}: expected {t}, got {type(value).__name__}")
        return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: {value} < {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing required key {key!r}")
        props, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
        for key, v in value.items():
            sub = f"{path}.{key}"
            if key in props:
                check(props[key], v, sub, root, errors)
                continue
            matched = [p for p in patterns if re.search(p, key)]
            for p in matched:
                check(patterns[p], v, sub, root, errors)
            if matched:
                continue
            extra = schema.get("additionalProperties", True)
            if extra is False:
                errors.append(f"{path}: key {key!r} is not in the schema")
            elif isinstance(extra, dict):
                check(extra, v, sub, root, errors)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            check(schema["items"], v, f"{path}[{i}]", root, errors)


def documented_keys(node, out):
    if isinstance(node, dict):
        for k, v in node.get("properties", {}).items():
            out.add(k)
        for v in node.values():
            documented_keys(v, out)
    elif isinstance(node, list):
        for v in node:
            documented_keys(v, out)
    return out


def main():
    schema_path, what, path = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as f:
        root = json.load(f)
    errors = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if what in ("run", "compare"):
        check({"$ref": f"#/$defs/{what}"}, json.loads(text), "$", root, errors)
    else:
        documented = documented_keys(root, set())
        lines = [json.loads(line) for line in text.splitlines() if line]
        for i, rec in enumerate(lines):
            check({"$ref": "#/$defs/sweep_line"}, rec, f"line {i + 1}", root, errors)
            for d in rec.get("header", {}).get("metric_definitions", []):
                if d["key"] not in documented:
                    errors.append(f"metric {d['key']!r} ({d['unit']}) of sim/metrics.cpp is not in {schema_path}")
        if not any("header" in r for r in lines) or not any(r.get("status") == "ok" for r in lines):
            errors.append(f"{path}: expected a header line and at least one ok point")
    for e in errors:
        print(f"{path}: {e}")
    print(f"{path}: {'ok' if not errors else str(len(errors)) + ' schema violation(s)'}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
