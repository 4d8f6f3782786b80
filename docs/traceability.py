#!/usr/bin/env python3
"""Writes docs/traceability.md from the seed and the Codes_/Tests_ tags in the sources.

Usage (from the repository root): python3 docs/traceability.py [path/to/seed.txt]
TraceabilityTest checks that the table stays in step with the sources.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seed" / "000_fb7a2e0d3fd3d32c.txt"
TAG = re.compile(r"(Codes|Tests)_(SRS_ASYNC_SOCKET_WIN32_\d+_\d+)")
# A member declared on one line, indented one level: "    void name(...) throws X {"
METHOD = re.compile(r"^ {4}(?:[\w<>\[\],?]+ )+(\w+)\([^;]*\)\s*(?:throws [\w., ]+)?\{\s*$")
REQ = re.compile(r"(SRS_ASYNC_SOCKET_WIN32_\d+_\d+): \[ (.*?) \]")

NOT_APPLICABLE = {
    "SRS_ASYNC_SOCKET_WIN32_01_004": "async_socket NULL: a Java method is always called on an object (`this` is never null).",
    "SRS_ASYNC_SOCKET_WIN32_01_007": "async_socket NULL: a Java method is always called on an object (`this` is never null).",
    "SRS_ASYNC_SOCKET_WIN32_01_018": "async_socket NULL: a Java method is always called on an object (`this` is never null).",
    "SRS_ASYNC_SOCKET_WIN32_01_024": "async_socket NULL: a Java method is always called on an object (`this` is never null).",
    "SRS_ASYNC_SOCKET_WIN32_01_073": "async_socket NULL: a Java method is always called on an object (`this` is never null).",
}


def tags():
    found = {}
    for path in sorted(ROOT.glob("**/src/**/*.java")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        method = None
        for line in text.splitlines():
            m = METHOD.match(line)
            if m:
                method = m.group(1)
            for kind, req in TAG.findall(line):
                where = f"{path.stem}#{method}" if kind == "Tests" else f"{path.stem}"
                found.setdefault(req, {"Codes": set(), "Tests": set()})[kind].add(where)
    return found


def main():
    seed = SEED.read_text(encoding="utf-8")
    requirements = REQ.findall(seed)
    found = tags()
    lines = [
        "# Traceability",
        "",
        "Every requirement of the seed (`../shared/seed/000_fb7a2e0d3fd3d32c.txt`, the Win32 `async_socket`),",
        "where it is implemented (`// Codes_SRS_...` in the code) and the tests that prove it (`// Tests_SRS_...`).",
        "The Win32 mechanisms map onto Netty as `../shared/spec/CONTRACT.md` says (threadpool I/O: the tail",
        "handler; WSASend: a write of the wrapped buffers; WSARecv: a read on request; the OVERLAPPED context: the",
        "operation object). Written by `docs/traceability.py`; `TraceabilityTest` fails the build if it falls",
        "out of step with the sources.",
        "",
        f"{len(requirements)} requirements: {sum(1 for r, _ in requirements if r not in NOT_APPLICABLE)} tested, "
        f"{len(NOT_APPLICABLE)} not applicable in Java.",
        "",
        "| Requirement | Text | Implemented in | Tests |",
        "|---|---|---|---|",
    ]
    for req, text in requirements:
        short = req
        text = text.replace("|", "\\|")
        if req in NOT_APPLICABLE:
            lines.append(f"| {short} | {text} | N/A | N/A: {NOT_APPLICABLE[req]} |")
            continue
        entry = found.get(req, {"Codes": set(), "Tests": set()})
        codes = ", ".join(sorted(entry["Codes"])) or "—"
        tests = "<br>".join(sorted(entry["Tests"])) or "**none**"
        lines.append(f"| {short} | {text} | {codes} | {tests} |")
    (ROOT / "docs" / "traceability.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
