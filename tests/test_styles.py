"""Every stylesheet octavo ships is read the way a browser or reading system reads it
(issue 9, acceptance 2): a selector or declaration they would drop fails here. EPUBCheck
does not look at selectors; a missing @namespace cost the EPUB 10 of its 17 rules."""

from __future__ import annotations

from pathlib import Path

import cssselect2
import pytest
import tinycss2

STYLES = Path(__file__).resolve().parents[1] / "styles"
SHEETS = sorted(STYLES.glob("*.css"))


def dropped(css: str) -> list[str]:
    """What a CSS parser would throw away: parse errors, selectors it cannot compile
    (an undeclared namespace prefix among them), declarations it cannot read."""
    problems: list[str] = []
    namespaces: dict[str | None, str] = {}
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)

    def declarations(content, where: str) -> None:
        for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if item.type == "error":
                problems.append(f"{where}: {item.message}")
            elif item.type == "at-rule" and item.content is not None:  # @page's margin boxes
                declarations(item.content, f"{where} @{item.at_keyword}")
            elif item.type == "declaration" and not [t for t in item.value if t.type not in ("whitespace", "comment")]:
                problems.append(f"{where}: '{item.name}' has no value")

    for rule in rules:
        if rule.type == "error":
            problems.append(f"line {rule.source_line}: {rule.message}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "namespace":
            tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
            prefix = tokens[0].value if len(tokens) == 2 and tokens[0].type == "ident" else None
            namespaces[prefix] = tokens[-1].value
        elif rule.type == "at-rule":
            if rule.content is not None:
                declarations(rule.content, f"line {rule.source_line} @{rule.at_keyword}")
        elif rule.type == "qualified-rule":
            selector = tinycss2.serialize(rule.prelude).strip()
            try:
                cssselect2.compile_selector_list(rule.prelude, namespaces)
            except cssselect2.SelectorError as exc:
                problems.append(f"line {rule.source_line}: selector '{selector}' is dropped: {exc}")
            declarations(rule.content, f"line {rule.source_line} '{selector}'")
    return problems


@pytest.mark.parametrize("sheet", SHEETS, ids=[p.name for p in SHEETS])
def test_nothing_in_the_stylesheet_is_dropped(sheet: Path) -> None:
    assert dropped(sheet.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_undeclared_namespace() -> None:
    css = 'a[epub|type~="noteref"] { font-size: 0.75em; }'
    assert "dropped" in dropped(css)[0]
    assert dropped('@namespace epub "http://www.idpf.org/2007/ops";\n' + css) == []
    assert dropped("p { color: ; margin: 0 }")  # a declaration without a value
