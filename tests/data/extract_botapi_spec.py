"""Extract the Bot API method list and fields from the official api.json into bot/data/botapi.json.

The full spec (900 KB, tests/data/telegram-bot-api.json) is only needed by the tests;
the terminal chat's loopback Bot API validates against this compact extract.
Run: python tests/data/extract_botapi_spec.py
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def extract(spec: dict) -> dict:
    methods = {}
    for name, m in spec["methods"].items():
        fields = {}
        for f in m.get("fields", []):
            desc = " ".join(f.get("description", []) if isinstance(f.get("description"), list) else [f.get("description", "")])
            limit = re.search(r"(\d+)-(\d+) (characters|bytes)", desc)
            fields[f["name"]] = {
                "required": bool(f.get("required")),
                "types": f.get("types", []),
                **({"limit": [int(limit.group(1)), int(limit.group(2)), limit.group(3)]} if limit else {}),
            }
        methods[name] = {"fields": fields, "returns": m.get("returns", [])}
    button = spec["types"]["InlineKeyboardButton"]
    return {
        "version": spec.get("version"),
        "methods": methods,
        "InlineKeyboardButton": [f["name"] for f in button.get("fields", [])],
    }


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/telegram-bot-api.json"
    out = extract(json.loads(src.read_text(encoding="utf-8")))
    (ROOT / "bot/data/botapi.json").write_text(json.dumps(out, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    print(f"{len(out['methods'])} methods, Bot API {out['version']}")
