"""Errors at the edge, in one place: bad configuration is exit 2 with one clear line (no
traceback); a bug in one document is recorded on it and the next file is still processed;
every error code a command can stop with has its exit status in the one table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from docpipe import errors
from docpipe.cli import main
from docpipe.pipeline.engines import use_engines
from tests.conftest import ROOT, FakeEngine
from tests.integration.test_pipeline_fake import CONTRACT


def _run(args: list[str], tmp_path: Path, **env: str):
    runner = CliRunner()
    return runner.invoke(main, args, env={"DOCPIPE_DATA_DIR": str(tmp_path / "data"), **env},
                         catch_exceptions=False)


@pytest.mark.parametrize("variable, value", [
    ("DOCPIPE_KV_CACHE_TYPE", "f64"),
    ("DOCPIPE_BRIEF_POINTS", "many"),
    ("DOCPIPE_MODELS", "{not json"),
    ("DOCPIPE_VISIBILITY_TIMEOUT", "10"),  # below the task time limit
])
def test_bad_configuration_is_exit_2_with_one_line_naming_it(tmp_path, variable, value):
    result = _run(["list"], tmp_path, **{variable: value})
    assert result.exit_code == errors.EXIT_ERROR, result.output
    assert result.output.startswith(f"error [{errors.CONFIG_ERROR}]: bad configuration")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    if variable != "DOCPIPE_MODELS":  # a JSON value fails before pydantic knows the field
        assert variable in result.output


class BuggyEngine(FakeEngine):
    """A bug (not a model fault) while analysing the document that mentions Cobalt."""

    def complete_json(self, prompt, schema, *, max_tokens):
        if "Cobalt" in prompt:
            raise KeyError("a bug in the analysis")
        return super().complete_json(prompt, schema, max_tokens=max_tokens)


def test_a_bug_in_one_file_is_recorded_and_the_next_file_still_runs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-buggy.txt").write_text(CONTRACT.replace("Acme Widgets", "Cobalt Tools"))
    (folder / "b-good.txt").write_text(CONTRACT)
    engine = BuggyEngine()
    with use_engines(lambda settings, stage: engine):
        result = _run(["ingest", str(folder), "--matter", "m"], tmp_path)
        listing = _run(["list"], tmp_path).output
    assert result.exit_code == errors.EXIT_FAILED, result.output
    assert f"[1/2] a-buggy.txt: FAILED [{errors.INTERNAL_ERROR}]: KeyError" in result.output
    assert re.search(r"\[2/2\] b-good.txt: done in [\d.]+s -> docpipe show 2", result.output)
    assert "Traceback" not in result.output
    buggy, good = (next(line for line in listing.splitlines() if name in line) for name in ("a-buggy", "b-good"))
    assert buggy.split()[1] == "failed" and f"[{errors.INTERNAL_ERROR}] KeyError" in buggy
    assert good.split()[1] == "done"


def test_a_document_that_is_not_there_is_not_found_exit_2(tmp_path):
    result = _run(["show", "42"], tmp_path)
    assert result.exit_code == errors.EXIT_ERROR
    assert result.output.strip() == f"error [{errors.NOT_FOUND}]: no document with id 42"


def test_every_code_raised_in_docpipe_is_a_constant_with_an_exit_status():
    """No module spells a code as a string literal; every command code maps to exit 2 and
    every document code is a reason a document can be stored with."""
    literal = re.compile(r"""code\s*=\s*["'][a-z_]+["']""")
    spelled = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "docpipe").rglob("*.py")
               if path.name != "errors.py"
               for n, line in enumerate(path.read_text().splitlines(), 1) if literal.search(line)]
    assert spelled == []
    assert all(errors.exit_code(code) == errors.EXIT_ERROR for code in errors.COMMAND_CODES)
    assert not set(errors.COMMAND_CODES) & set(errors.DOCUMENT_CODES)
