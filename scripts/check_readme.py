#!/usr/bin/env python3
"""Checks that README.md shows the example programs the test suites run.

A code block preceded by a line `<!-- example: PATH -->` must be byte-identical to the file at
PATH (relative to the repository root), which a test suite compiles and runs. The Rust example is
not listed here: it is a doctest of the core crate (core/src/lib.rs includes README.md).
`--write` copies each file into its block instead of checking.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = re.compile(r"^<!-- example: (\S+) -->\n```[a-z]*\n(.*?)^```\n", re.M | re.S)


def write() -> int:
    readme = ROOT / "README.md"

    def fill(m: "re.Match[str]") -> str:
        fence = m.group(0).split("\n", 2)[1]
        return f"<!-- example: {m.group(1)} -->\n{fence}\n{(ROOT / m.group(1)).read_text()}```\n"

    readme.write_text(MARK.sub(fill, readme.read_text()))
    return 0


def main() -> int:
    if sys.argv[1:] == ["--write"]:
        return write()
    text = (ROOT / "README.md").read_text()
    found = MARK.findall(text)
    failures = []
    for path, block in found:
        f = ROOT / path
        if not f.is_file():
            failures.append(f"README.md names {path}, which does not exist")
        elif f.read_text() != block:
            failures.append(f"README.md's example differs from {path} (copy the file into README.md)")
    for msg in failures:
        print(msg, file=sys.stderr)
    if not found:
        print("README.md has no `<!-- example: PATH -->` blocks", file=sys.stderr)
        return 1
    print(f"README.md: {len(found)} examples match their tested files")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
