"""TeX math in the print edition, drawn as SVG.

pandoc keeps `$…$` and `$$…$$` as TeX; the EPUB gets MathML (`--mathml`), which reading
systems draw, but WeasyPrint draws no MathML. For print each formula becomes an inline
SVG drawn by ziamath (LaTeX -> MathML -> outlines in the STIX Two Math face): sized in
em so it follows the text around it (a formula in a note is set smaller), sitting on the
baseline, with the TeX as its accessible name. A formula ziamath cannot read is printed
as its TeX source in the code face, and the build says so.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

log = logging.getLogger(__name__)

AST = dict[str, Any]

#: The body text size in points (print.css); ziamath draws at this size and the SVG is
#: then sized in em, so a formula scales with the text it sits in.
BODY_PT = 11.5

_SIZE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" width="([\d.]+)" height="([\d.]+)" '
                   r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')


def has_math(ast_json: str | bytes) -> bool:
    return ('"Math"' if isinstance(ast_json, str) else b'"Math"') in ast_json


def math_as_svg(node: Any, locate=lambda tex: "") -> Any:
    """The same AST with every Math node replaced by raw HTML holding its SVG.
    `locate(tex)` says where a formula is written ("file:line:col"), for a warning."""
    if isinstance(node, list):
        return [math_as_svg(item, locate) for item in node]
    if isinstance(node, dict):
        if node.get("t") == "Math":
            kind, tex = node["c"][0]["t"], node["c"][1]
            return {"t": "RawInline", "c": ["html", formula_html(tex, display=kind == "DisplayMath",
                                                                 where=locate(tex))]}
        if "c" in node:
            return {**node, "c": math_as_svg(node["c"], locate)}
    return node


def formula_html(tex: str, *, display: bool, where: str = "") -> str:
    import ziamath

    kind = "display" if display else "inline"
    try:
        svg = ziamath.Latex(tex, size=BODY_PT, inline=not display).svg()
    except Exception as exc:  # ziamath raises many kinds on TeX it cannot read
        log.warning("%swarning: the formula '%s' could not be drawn for print (%s); it is printed as TeX: "
                    "check its spelling against LaTeX [math]", f"{where}: " if where else "", tex[:60],
                    type(exc).__name__)
        return f'<code class="math {kind}">{html.escape(tex)}</code>'
    match = _SIZE.match(svg)
    if match is None:
        return f'<code class="math {kind}">{html.escape(tex)}</code>'
    width, height, _x, top, _w, _h = (float(v) for v in match.groups())
    depth = height + top  # below the baseline (top is negative: above it)
    em = lambda v: f"{v / BODY_PT:.3f}em"  # noqa: E731  (ziamath's units are points at BODY_PT)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(tex, quote=True)}" '
           f'style="width: {em(width)}; height: {em(height)}; vertical-align: -{em(depth)}" '
           f'viewBox="{" ".join(match.groups()[2:])}"' + svg[match.end():])
    return f'<span class="math {kind}">{svg}</span>'
