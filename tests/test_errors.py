"""The exit codes: errors.py's table, the README's and the error classes say the same thing.

A script that drives octavo (a Makefile, a press's CI) reads the exit code; the README is
where its author learns them. Every error class lives in errors.py, so the table there is
the whole truth, and this file holds the README and the classes to it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from conftest import ROOT

import octavo
from octavo.cli import main
from octavo.errors import EXIT_CODES, EXIT_INPUT, OctavoError


def readme_exit_codes(text: str) -> dict[int, str]:
    """The exit codes the README documents: code -> what it means.

    Reads either form: the sentence "Exit codes: 0 built; 1 …; 130 interrupted." or a table
    whose rows start with the code (| 0 | built |) in the section that names exit codes."""
    start = text.find("Exit codes")
    assert start >= 0, "the README does not mention 'Exit codes'"
    rest = text[start:]
    rows = re.findall(r"^\|\s*`?(\d+)`?\s*\|\s*(.+?)\s*\|\s*$", rest.split("\n## ", 1)[0], re.M)
    if rows:
        return {int(code): _plain(meaning) for code, meaning in rows}
    paragraph = " ".join(rest.split("\n\n", 1)[0].split())
    body = paragraph.split(":", 1)[1]
    # A meaning ends where the next "; N " starts or the sentence ends; a semicolon inside a
    # meaning ("please report it; `--debug` …") is not followed by a number.
    found = re.findall(r"(?:^|;)\s*(\d+)\s+(.+?)(?=;\s*\d+\s|\.\s|\.$)", body)
    return {int(code): _plain(meaning) for code, meaning in found}


def _plain(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def differences(documented: dict[int, str], table: dict[int, str]) -> list[str]:
    """What the README says differently from errors.EXIT_CODES (empty when they agree)."""
    found = [f"code {code} is in errors.EXIT_CODES but not in the README" for code in table if code not in documented]
    found += [f"the README documents code {code}, which errors.EXIT_CODES does not have"
              for code in documented if code not in table]
    found += [f"code {code}: the README says {documented[code]!r}, errors.EXIT_CODES {table[code]!r}"
              for code in table if code in documented and not documented[code].startswith(table[code])]
    return found


def test_readme_and_errors_agree_on_exit_codes():
    documented = readme_exit_codes((ROOT / "README.md").read_text(encoding="utf-8"))
    assert differences(documented, EXIT_CODES) == []


SENTENCE = """Exit codes: 0 built; 1 the checks (or EPUBCheck) found errors; 2 a problem with the book
(config, manuscript, a refused file); 3 a tool failed or is missing; 70 an internal error
(please report it; `--debug` shows the traceback); 130 interrupted. `-v` adds the underlying
tool output to an error.
"""

TABLE = """Exit codes (every command):

| Code | Meaning |
|------|---------|
| 0 | built |
| 1 | the checks (or EPUBCheck) found errors |
| 2 | a problem with the book (config, manuscript, a refused file) |
| 3 | a tool failed or is missing |
| 70 | an internal error (please report it; `--debug` shows the traceback) |
| 130 | interrupted |

`-v` adds the underlying tool output to an error.

## Layout of this repository
"""


@pytest.mark.parametrize("text", [SENTENCE, TABLE], ids=["sentence", "table"])
def test_both_readme_forms_are_read(text):
    assert readme_exit_codes(text) == {
        0: "built", 1: "the checks (or EPUBCheck) found errors",
        2: "a problem with the book (config, manuscript, a refused file)", 3: "a tool failed or is missing",
        70: "an internal error (please report it; --debug shows the traceback)", 130: "interrupted"}
    assert differences(readme_exit_codes(text), EXIT_CODES) == []


@pytest.mark.parametrize("text", [SENTENCE, TABLE], ids=["sentence", "table"])
def test_a_readme_that_disagrees_is_caught(text):
    # The comparison must be able to fail: a renumbered, a missing and a reworded code.
    assert differences(readme_exit_codes(text.replace("130 ", "131 ", 1)), EXIT_CODES) == [
        "code 130 is in errors.EXIT_CODES but not in the README",
        "the README documents code 131, which errors.EXIT_CODES does not have"]
    reworded = text.replace("a tool failed", "a tool crashed")
    assert differences(readme_exit_codes(reworded), EXIT_CODES) == [
        "code 3: the README says 'a tool crashed or is missing', errors.EXIT_CODES 'a tool failed or is missing'"]


def all_error_classes() -> set[type[OctavoError]]:
    """Every OctavoError subclass in octavo, after importing every module (but __main__)."""
    for module in pkgutil.walk_packages(octavo.__path__, "octavo."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = set(), [OctavoError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_error_class_lives_in_errors_and_exits_with_a_documented_code():
    classes = all_error_classes()
    # The ones that moved here from build, pdf, resources and validate are among them.
    assert {"ChecksFailed", "ResourceRefused", "ResourceError", "EpubInvalid", "ToolError"} <= {
        c.__name__ for c in classes}
    assert [f"{c.__module__}.{c.__name__}" for c in classes if c.__module__ != "octavo.errors"] == []
    assert {f"{c.__name__}: {c.exit_code}" for c in classes if c.exit_code not in EXIT_CODES} == set()
    assert OctavoError.exit_code in EXIT_CODES


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) in shown


def test_no_command_is_a_usage_problem(capsys):
    assert main([]) == EXIT_INPUT
