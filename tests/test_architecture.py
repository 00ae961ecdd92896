"""The shape issue 10 asked for, read from the source: small signatures, a short recipe.

A function that takes seven values is a function whose callers must know seven things;
the build passes a BuildContext (and the converted book) instead. `build()` is the recipe
a reader opens first, so it must fit on one screen.
"""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import octavo.build

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "octavo"
MAX_PARAMETERS = 6
SCREEN_LINES = 50


def parameter_counts(source: str) -> dict[str, int]:
    """Every function in `source` -> how many values a caller can pass (self and cls aside)."""
    counts = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            named = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs) if x.arg not in ("self", "cls")]
            counts[f"{node.name}:{node.lineno}"] = len(named) + bool(a.vararg) + bool(a.kwarg)
    return counts


def test_no_function_takes_more_than_six_parameters() -> None:
    too_many = {f"{path.relative_to(PACKAGE)}:{name}": n
                for path in sorted(PACKAGE.rglob("*.py"))
                for name, n in parameter_counts(path.read_text(encoding="utf-8")).items() if n > MAX_PARAMETERS}
    assert not too_many, f"more than {MAX_PARAMETERS} parameters (pass a BuildContext or a dataclass): {too_many}"


def test_the_counter_sees_every_kind_of_parameter() -> None:
    source = "def f(a, /, b, *c, d, e=1, **f): pass\nclass K:\n    def m(self, a, b, c, d, e, f, g): pass\n"
    assert parameter_counts(source) == {"f:1": 6, "m:3": 7}


def test_build_is_a_recipe_that_fits_on_one_screen() -> None:
    lines, _ = inspect.getsourcelines(octavo.build.build)
    assert len(lines) <= SCREEN_LINES, f"build() is {len(lines)} lines"
    source = "".join(lines)
    # The stages, in order.
    order = ["current_outputs", "load_book", "read_manuscript", "_Checks", "convert(", "schedule.run", "_publish",
             "stamp.record"]
    positions = [source.index(step) for step in order]
    assert positions == sorted(positions)
