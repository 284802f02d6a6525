"""Runs the ```python blocks of README.md and docs/*.md (not docs/dev/), each file's blocks in
order in one namespace, so the docs cannot drift from the code. The line before a fence may
hold a marker:
  <!-- skip-test -->               the block is never run;
  <!-- requires: manual_seed Tensor.t -->
                                   the block runs once every named attribute of `ember` exists
                                   (for docs written ahead of the ops they show)."""

import os
import re
import traceback

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SKIP_MARK = "<!-- skip-test -->"
_REQUIRES = re.compile(r"^<!--\s*requires:\s*(.*?)\s*-->$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)[^\n]*$")


def extract_blocks(text):
    """The fenced code blocks of a Markdown text, as dicts with the info-string language,
    the first code line's number, the code, and whether a skip mark precedes the fence."""
    blocks = []
    lines = text.splitlines()
    i = 0
    prev = ""  # last non-blank line before the current one
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                prev = lines[i].strip()
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        start = i + 1
        j = start
        while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                      and not lines[j].strip().strip(fence[0])):
            j += 1
        if j == len(lines):
            raise ValueError(f"unclosed code fence opened at line {i + 1}")
        code = "\n".join(l[len(indent):] if l.startswith(indent) else l for l in lines[start:j])
        req = _REQUIRES.match(prev)
        blocks.append({"lang": lang, "line": start + 1, "code": code,
                       "skip": prev == SKIP_MARK,
                       "requires": req.group(1).replace(",", " ").split() if req else []})
        prev = ""
        i = j + 1
    return blocks


def doc_files():
    files = [os.path.join(ROOT, "README.md")]
    docs = os.path.join(ROOT, "docs")
    files += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    return [f for f in files if os.path.isfile(f)]


def missing_names(names):
    """The names in `names` (dotted paths under the ember module) that do not resolve."""
    import ember

    missing = []
    for name in names:
        obj = ember
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                missing.append(name)
                break
    return missing


def _rel(path):
    return os.path.relpath(path, ROOT)


@pytest.mark.parametrize("path", doc_files(), ids=_rel)
def test_doc_python_blocks_run(path):
    with open(path, encoding="utf-8") as f:
        blocks = [b for b in extract_blocks(f.read()) if b["lang"] in ("python", "py")]
    namespace = {"__name__": f"doc_{os.path.basename(path)}"}
    ran = 0
    waiting = []
    for n, block in enumerate(blocks, start=1):
        if block["skip"]:
            continue
        missing = missing_names(block["requires"])
        if missing:
            waiting.append(f"block {n} needs {', '.join(missing)}")
            continue
        where = f"{_rel(path)} python block {n} (line {block['line']})"
        try:
            exec(compile(block["code"], where, "exec"), namespace)  # noqa: S102
        except Exception:
            pytest.fail(f"{where} failed:\n{traceback.format_exc(limit=-3)}\n"
                        f"--- block ---\n{block['code']}", pytrace=False)
        ran += 1
    if blocks and not ran:
        pytest.skip(f"no python block of {_rel(path)} could run: {'; '.join(waiting)}")


def test_docs_exist_and_have_runnable_code():
    names = [_rel(p) for p in doc_files()]
    assert "README.md" in names and os.path.join("docs", "getting_started.md") in names
    with open(os.path.join(ROOT, "docs", "getting_started.md"), encoding="utf-8") as f:
        blocks = [b for b in extract_blocks(f.read()) if b["lang"] == "python"]
    assert sum(not b["skip"] and not b["requires"] for b in blocks) >= 5


def test_readme_starts_with_the_two_commands():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        head = f.read().splitlines()[:4]
    assert head[0].startswith("```")
    assert head[1].startswith("bash scripts/run_main.sh")
    assert head[2].startswith("bash scripts/test.sh")


def test_extract_blocks_numbering_and_skip_mark():
    text = "\n".join([
        "# T", "", "```python", "a = 1", "```", "",
        SKIP_MARK, "", "```python", "b = missing()", "```",
        "text", "~~~bash", "echo hi", "~~~",
        "  ```py", "  c = a + 1", "  ```",
    ])
    blocks = extract_blocks(text)
    assert [(b["lang"], b["skip"], b["line"]) for b in blocks] == [
        ("python", False, 4), ("python", True, 10), ("bash", False, 14), ("py", False, 17)]
    assert blocks[3]["code"] == "c = a + 1"
    assert [b["requires"] for b in blocks] == [[], [], [], []]


def test_requires_marker_names_ember_attributes():
    text = "<!-- requires: matmul, Tensor.numel -->\n```python\nx = 1\n```\n"
    (block,) = extract_blocks(text)
    assert block["requires"] == ["matmul", "Tensor.numel"] and not block["skip"]
    assert missing_names(["Tensor.numel", "no_such_op", "Tensor.no_such_method"]) == [
        "no_such_op", "Tensor.no_such_method"]


def test_extract_blocks_rejects_unclosed_fence():
    with pytest.raises(ValueError, match="unclosed code fence opened at line 2"):
        extract_blocks("x\n```python\na = 1\n")


def test_failing_block_names_doc_and_block(tmp_path, monkeypatch):
    doc = tmp_path / "bad.md"
    doc.write_text("```python\nx = 1\n```\n\n```python\nraise RuntimeError('boom')\n```\n")
    monkeypatch.setattr(globals()["pytest"], "fail", _raise_fail)
    with pytest.raises(AssertionError) as info:
        test_doc_python_blocks_run(str(doc))
    msg = str(info.value)
    assert "bad.md python block 2 (line 6) failed" in msg and "RuntimeError: boom" in msg


def _raise_fail(msg, pytrace=True):
    raise AssertionError(msg)
