#!/usr/bin/python3
"""Step 1 of the recipe: collect the training corpus from files every Debian machine with
python3.11 + python3.11-doc has, and split it deterministically into train / validation.

Sources (both under the PSF License Agreement for Python 3.11, see the model card):
  * the Python 3.11 standard library source: /usr/lib/python3.11/**/*.py
  * the Python 3.11 documentation sources (reStructuredText, shipped by python3.11-doc as the
    "view source" text of the HTML docs): /usr/share/doc/python3.11/html/_sources/**/*.rst.txt

The split is by file, decided by a hash of the file's relative path (no RNG involved), so the
same machine always yields the same split. Files are written in sorted path order.
"""
import argparse
import hashlib
import json
import os
import sys

STDLIB = "/usr/lib/python3.11"
DOCS = "/usr/share/doc/python3.11/html/_sources"
# Not PSF-licensed or not source text: third-party packages, build configuration,
# generated sysconfig dumps and bytecode caches.
SKIP_DIRS = {"dist-packages", "site-packages", "__pycache__"}
VALIDATION_PERCENT = 3


def collect(root, suffix, tag):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIP_DIRS and not d.startswith("config-3.11"))
        for name in sorted(filenames):
            if not name.endswith(suffix) or name.startswith("_sysconfigdata"):
                continue
            path = os.path.join(dirpath, name)
            rel = tag + "/" + os.path.relpath(path, root)
            try:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8")
            except UnicodeDecodeError:
                continue  # a handful of legacy-encoded test files: skip rather than guess
            text = text.replace("\r\n", "\n")
            if text.strip():
                out.append((rel, text))
    return out


def is_validation(rel):
    h = int(hashlib.sha256(rel.encode("utf-8")).hexdigest()[:8], 16)
    return h % 100 < VALIDATION_PERCENT


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="folder for intermediate files")
    args = ap.parse_args()
    if not os.path.isdir(DOCS):
        sys.exit(f"{DOCS} is missing: apt-get install python3.11-doc")
    os.makedirs(args.work, exist_ok=True)
    docs = collect(STDLIB, ".py", "stdlib") + collect(DOCS, ".rst.txt", "docs")
    split = {"train": [], "validation": []}
    for rel, text in sorted(docs):
        split["validation" if is_validation(rel) else "train"].append({"path": rel, "text": text})
    summary = {}
    for name, items in split.items():
        # JSON Lines: one document per line, read by the Node tokenizer step.
        with open(os.path.join(args.work, f"{name}.jsonl"), "w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        # Plain text for tokenizer training (train split only is used).
        with open(os.path.join(args.work, f"{name}.txt"), "w", encoding="utf-8") as f:
            for item in items:
                f.write(item["text"])
                if not item["text"].endswith("\n"):
                    f.write("\n")
        summary[name] = {
            "files": len(items),
            "chars": sum(len(i["text"]) for i in items),
            "stdlibFiles": sum(i["path"].startswith("stdlib/") for i in items),
            "docsFiles": sum(i["path"].startswith("docs/") for i in items),
            "stdlibChars": sum(len(i["text"]) for i in items if i["path"].startswith("stdlib/")),
            "docsChars": sum(len(i["text"]) for i in items if i["path"].startswith("docs/")),
        }
    with open(os.path.join(args.work, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
