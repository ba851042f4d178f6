"""The house rules import-linter cannot see: Asterisk's own words stay in `cc112_pbx/asterisk/`
(and the emulator, which plays Asterisk), and services take typed ports, never `Any`."""

from __future__ import annotations

import ast
from pathlib import Path

import cc112_pbx

PACKAGE = Path(cc112_pbx.__file__).parent
# Asterisk's channel state names (ast_state2str), and the words of its that once leaked.
ASTERISK_WORDS = {"Up", "Down", "Ring", "Ringing", "Busy", "Rsrvd", "OffHook", "Dialing", "Pre-ring",
                  "MIXMONITOR_FILENAME", "STASISSTATUS"}
ALLOWED = ("asterisk", "emulator", "deploy")  # the adapter, the stand-in, the config renderer
# the benchmark's protocol floor: a bare ARI consumer with no adapter, on purpose (its cost is the measure)
ALLOWED_FILES = (Path("bench", "floor.py"),)


def product_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if p.relative_to(PACKAGE).parts[0] not in ALLOWED and p.relative_to(PACKAGE) not in ALLOWED_FILES]


def test_no_asterisk_state_or_variable_literal_outside_the_adapters():
    found = []
    for path in product_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in ASTERISK_WORDS or node.value.startswith("sound:"):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
    assert not found, "Asterisk's words outside cc112_pbx/asterisk:\n" + "\n".join(found)


def test_the_rule_finds_a_leak():
    tree = ast.parse('state = "Up"')
    assert any(isinstance(n, ast.Constant) and n.value in ASTERISK_WORDS for n in ast.walk(tree))


def test_services_take_their_dependencies_typed_never_any():
    found = []
    for path in (PACKAGE / "services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                for arg in node.args.args + node.args.kwonlyargs:
                    if arg.annotation is not None and "Any" in ast.unparse(arg.annotation):
                        found.append(f"{path.name}:{node.lineno} {arg.arg}")
            if isinstance(node, ast.AnnAssign) and "Any" == ast.unparse(node.annotation):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node.target)}")
    assert not found, found
