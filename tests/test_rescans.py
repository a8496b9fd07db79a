"""The facts-only rescans the engine asks for after the scan (engine.tasks: SYMBOLS and
MENTIONS): a file whose bytes hold none of the asked names is answered without decoding it,
and the answer is the one the full reading gives."""

from pathlib import Path

import pytest

from porting_advisor.core.facts import CFunctions, Mentions
from porting_advisor.core.model import FileResult, Options
from porting_advisor.engine import tasks
from porting_advisor.engine.walk import Task

NAMES = ("IACA_START", "IACA_END", "pair_set_epi16", "pair_set_epi32", "x86_pause_hint")


def test_needles_are_fewer_than_the_names_and_necessary_for_each():
    assert tasks.needles(NAMES) == (b"IACA_", b"pair_set_epi", b"x86_pause_hint")
    # a name that holds another is found by the other; a lone name is looked for whole
    assert tasks.needles(("_f", "f", "foo", "barbaz")) == (b"barbaz", b"f")
    assert tasks.needles(()) is None
    assert tasks.needles(("déjà",)) is None  # bytes depend on the file's encoding


@pytest.fixture
def worker(tmp_path, rules):
    tasks.init_worker(Options(root=tmp_path), rules)

    def task(name: str, text: str) -> Task:
        path = tmp_path / name
        path.write_text(text)
        return Task(name, str(path), "c", path.stat().st_size)

    return task


def full_reading(monkeypatch, task: Task, scan, names: tuple[str, ...]) -> FileResult:
    """The answer without the byte test (every file decoded and read)."""
    monkeypatch.setattr(tasks, "needles", lambda names: None)
    try:
        return scan(task, names)
    finally:
        monkeypatch.undo()


CASES = {
    "none.c": "int main(void) { return pair_set(1); }\n",
    "code.c": '#include "iaca.h"\nvoid f(void) { IACA_START; g(); IACA_END; }\n',
    "directive.c": "#ifdef x86_pause_hint\n#endif\n/* IACA_START */ int x;\n",
    "comment.c": "// pair_set_epi16 is x86 only\nint y;\n",
    "pasted.c": "#define MAKE(x) pair_set_##x\nint z = MAKE(epi16)(1, 2);\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mentions_answer_is_the_full_readings(worker, monkeypatch, name):
    task = worker(name, CASES[name])
    got = tasks.scan_mentions(task, NAMES)
    assert got == full_reading(monkeypatch, task, tasks.scan_mentions, NAMES)
    expected = {
        "none.c": (),
        "code.c": (Mentions(("IACA_END", "IACA_START"), ()),),
        "directive.c": (Mentions((), ("x86_pause_hint",)),),
        "comment.c": (),
        "pasted.c": (Mentions(("pair_set_epi16", "pair_set_epi32"), ()),),
    }[name]
    assert got.facts == expected and got.scanned


def test_symbols_answer_is_the_full_readings(worker, monkeypatch):
    names = ("_crc_fold", "crc_fold", "adler_simd")
    files = {
        "impl.c": "unsigned crc_fold(const char *p) { return 0; }\n",
        "decl.h": "unsigned adler_simd(const char *p, int n);\n",
        "other.c": "unsigned crc(const char *p) { return 1; }\n",
    }
    for name, text in files.items():
        task = worker(name, text)
        got = tasks.scan_symbols(task, names)
        assert got == full_reading(monkeypatch, task, tasks.scan_symbols, names)
        assert (
            got.facts
            == {
                "impl.c": (CFunctions(("crc_fold",), ()),),
                "decl.h": (CFunctions((), ("adler_simd",)),),
                "other.c": (),
            }[name]
        )


def test_a_file_that_cannot_be_read_still_says_why(worker, tmp_path: Path):
    task = worker("bin.c", "")
    (tmp_path / "bin.c").write_bytes(b"IACA_START\0\0")
    task = Task("bin.c", task.path, "c", 12)
    assert tasks.scan_mentions(task, NAMES).skipped == "binary content in a text file"
