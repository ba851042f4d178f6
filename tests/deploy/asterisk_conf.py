"""A small reader for Asterisk .conf files, as Asterisk's config parser sees them.

Handles `;` comments, `[name]`, `[name](!)` templates, `[name](tpl1,tpl2)` inheritance,
`key = value` and `key => value`, `#include file` (relative to the including file), and
repeated section names (PJSIP's endpoint/auth/aor sharing a name). Template options are
applied to the sections that use them, like Asterisk does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\](?:\((?P<args>[^)]*)\))?\s*$")


@dataclass
class Section:
    name: str
    is_template: bool = False
    templates: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str, default: str | None = None) -> str | None:
        values = self.all(key)
        return values[-1] if values else default

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.options if k == key]


@dataclass
class Conf:
    sections: list[Section]
    included: list[Path]
    top_level: list[tuple[str, str]]  # options before any section (e.g. a modules.conf fragment)

    def named(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name and not s.is_template]

    def one(self, name: str, type_: str | None = None) -> Section:
        found = [s for s in self.named(name) if type_ is None or s.get("type") == type_]
        assert len(found) == 1, f"expected one [{name}] (type={type_}), found {len(found)}"
        return found[0]

    def of_type(self, type_: str) -> list[Section]:
        return [s for s in self.sections if not s.is_template and s.get("type") == type_]


def strip_comment(line: str) -> str:
    """Drop a `;` comment (Asterisk allows `\\;` for a literal semicolon)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == ";":
            out.append(";")
            i += 2
            continue
        if line[i] == ";":
            break
        out.append(line[i])
        i += 1
    return "".join(out).strip()


def parse_conf(path: Path) -> Conf:
    conf = Conf(sections=[], included=[], top_level=[])
    _parse_into(path, conf)
    _apply_templates(conf)
    return conf


def _parse_into(path: Path, conf: Conf) -> None:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = strip_comment(raw)
        if not line:
            continue
        if line.startswith("#include"):
            target = path.parent / line.split(None, 1)[1].strip().strip('"')
            assert target.is_file(), f"{path}: #include {target.name}: no such file"
            conf.included.append(target)
            _parse_into(target, conf)
            continue
        match = _SECTION.match(line)
        if match:
            args = [a.strip() for a in (match.group("args") or "").split(",") if a.strip()]
            conf.sections.append(Section(name=match.group("name").strip(), is_template="!" in args,
                                         templates=[a for a in args if a != "!"]))
            continue
        key, sep, value = line.partition("=")  # `key = value` or `key => value`
        assert sep, f"{path}: not an option line: {raw!r}"
        option = (key.strip(), value.lstrip(">").strip())
        if conf.sections:
            conf.sections[-1].options.append(option)
        else:
            conf.top_level.append(option)


def _apply_templates(conf: Conf) -> None:
    templates = {s.name: s for s in conf.sections if s.is_template}
    for section in conf.sections:
        inherited: list[tuple[str, str]] = []
        for name in section.templates:
            assert name in templates, f"[{section.name}] uses undefined template ({name})"
            inherited.extend(templates[name].options)
        section.options = inherited + section.options
