"""The no-op stamp: the last build's outputs come back only while nothing it read changed."""
from __future__ import annotations

import os

from octavo import stamp


def test_the_stamp_answers_until_an_input_an_output_or_the_request_changes(tmp_path) -> None:
    out = tmp_path / "out"
    chapter, picture, folder = tmp_path / "01-a.md", tmp_path / "map.png", tmp_path / "manuscript"
    folder.mkdir()
    chapter.write_text("# A\n", encoding="utf-8")
    picture.write_bytes(b"one")
    (out / "book.pdf").parent.mkdir(parents=True)
    (out / "book.pdf").write_bytes(b"%PDF")
    request = {"book": str(tmp_path), "formats": "pdf", "single_pass": False, "octavo": "abc"}
    stamp.record(out, request, inputs=[chapter, picture], folders=[folder], outputs={"pdf": out / "book.pdf"})
    assert stamp.current_outputs(out, request) == {"pdf": out / "book.pdf"}
    assert stamp.current_outputs(out, {**request, "formats": "epub,pdf"}) is None  # another request
    assert stamp.current_outputs(out, {**request, "octavo": "changed"}) is None  # other code

    picture.write_bytes(b"two")  # same size: the time tells
    os.utime(picture, ns=(1, 1))
    assert stamp.current_outputs(out, request) is None
    stamp.record(out, request, inputs=[chapter, picture], folders=[folder], outputs={"pdf": out / "book.pdf"})
    assert stamp.current_outputs(out, request) is not None
    (folder / "02-b.md").write_text("# B\n", encoding="utf-8")  # a new chapter: the folder's listing changed
    os.utime(folder, ns=(2, 2))
    assert stamp.current_outputs(out, request) is None
    stamp.record(out, request, inputs=[chapter, picture], folders=[folder], outputs={"pdf": out / "book.pdf"})
    (out / "book.pdf").unlink()  # the output is gone: build again
    assert stamp.current_outputs(out, request) is None
