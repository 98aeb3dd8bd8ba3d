"""Every process module has an nf-core style meta.yml that agrees with its main.nf.

main.nf is read with regular expressions: the process name, one input channel per line of the
``input:`` block, one output channel per ``emit:`` of the ``output:`` block, and one tuple per
``topic:`` output. In meta.yml (nf-core layout) a tuple channel is a list of ``{name: {...}}`` elements and
a single-element channel is the element itself; outputs are keyed by emit name, topics by topic name (a
list of tuples), and a file's ``pattern`` must equal main.nf's path with every ``${...}`` turned into ``*``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from nfhelpers import REPO

MODULES = sorted((REPO / "modules" / "local").glob("*/main.nf"))
#: ``val(meta)``, ``path(h5ad, stageAs: ...)``, ``path versions``, ``path("${prefix}.qc.h5ad")``, ``path "x.yml"``,
#: ``val('scnetflow')``, ``eval("python3 -c '...'")``
ELEMENT = re.compile(r"\b(val|path|eval)\s*\(?\s*(\"[^\"]*\"|'[^']*'|\w+)")


def block(text: str, name: str) -> list[str]:
    """Lines of a process section (``input:``, ``output:``) without comments and blank lines."""
    body = re.search(rf"^\s*{name}:\s*$(.*?)^\s*\w+:\s*$", text, re.M | re.S).group(1)
    lines = (re.sub(r"//.*", "", line).strip() for line in body.splitlines())
    return [line for line in lines if line]


def elements(line: str) -> list[tuple[str, str]]:
    """(qualifier, name) of each element of a channel line; quotes stripped from path strings."""
    return [(kind, name[1:-1] if name[0] in "\"'" else name)
            for kind, name in ELEMENT.findall(re.split(r"\b(?:emit|topic):", line)[0])]


def channel(entry) -> list[tuple[str, dict]]:
    """meta.yml channel -> [(element name, its fields)]: a list of elements, or one element."""
    return [next(iter(e.items())) for e in (entry if isinstance(entry, list) else [entry])]


def glob(path: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "*", path)


@pytest.fixture(params=MODULES, ids=lambda p: p.parent.name)
def module(request) -> tuple[str, dict | None]:
    main_nf: Path = request.param
    meta_yml = main_nf.with_name("meta.yml")
    assert meta_yml.is_file(), f"{meta_yml.relative_to(REPO)} is missing"
    return main_nf.read_text(), yaml.safe_load(meta_yml.read_text())


def test_there_are_modules():
    assert len(MODULES) >= 12


def test_name(module):
    text, meta = module
    process = re.search(r"^process\s+(\w+)\s*\{", text, re.M).group(1)
    assert meta["name"] == process.lower()
    for key in ("description", "keywords", "tools", "authors", "maintainers"):
        assert meta.get(key), f"meta.yml has no {key}"


def test_inputs_match(module):
    text, meta = module
    expected = [[name for _, name in elements(line)] for line in block(text, "input")]
    declared = [[name for name, _ in channel(entry)] for entry in meta["input"]]
    assert declared == expected
    for entry in meta["input"]:
        for name, fields in channel(entry):
            assert fields.get("type") and fields.get("description"), f"input {name}: type and description"


def test_outputs_match(module):
    text, meta = module
    lines = block(text, "output")
    emits = {re.search(r"emit:\s*(\w+)", line).group(1): elements(line) for line in lines if "topic:" not in line}
    assert set(meta["output"]) == set(emits)
    for emit, expected in emits.items():
        declared = [e for entry in meta["output"][emit] for e in channel(entry)]
        assert [name for name, _ in declared] == [name for _, name in expected], f"emit {emit}: elements"
        for (kind, path), (name, fields) in zip(expected, declared):
            assert fields.get("type") and fields.get("description"), f"emit {emit}, {name}: type and description"
            if kind == "path":
                assert fields.get("pattern") == glob(path), f"emit {emit}: pattern of {path}"


def test_topics_match(module):
    """Each ``topic:`` output is one tuple of the topic in meta.yml, element by element (nf-core's
    ``versions`` topic: process, tool, and the command that prints the tool's version)."""
    text, meta = module
    expected: dict[str, list[list[str]]] = {}
    for line in block(text, "output"):
        if m := re.search(r"topic:\s*(\w+)", line):
            expected.setdefault(m.group(1), []).append([name for _, name in elements(line)])
    declared = {topic: [[name for name, _ in channel(t)] for t in tuples]
                for topic, tuples in (meta.get("topics") or {}).items()}
    assert declared == expected
    for tuples in (meta.get("topics") or {}).values():
        for t in tuples:
            for name, fields in channel(t):
                assert fields.get("type") and fields.get("description"), f"topic element {name}: type and description"
