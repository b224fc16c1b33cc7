"""One error family: every error wams raises on purpose is a ``WamsError`` of
``wams.core.errors``, exported from ``wams``, with its exit code and HTTP status; each edge
maps it to output in one place; no attribute is ever set on a foreign exception."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner

import wams
from wams.core import errors
from wams.core.model import Persoon

ROOT = Path(__file__).resolve().parents[1]

#: exception classes that live outside the family, each for a reason
NOT_IN_FAMILY = {
    # the HTTP service's answer to an error, already made (problems.problem_of)
    ("wams/service/problems.py", "ProblemError"),
    # a limit of the YAML reader inside the loader; it becomes a ScenarioError there
    ("wams/core/scenario/load.py", "_Unsupported"),
}


def family() -> list[type[errors.WamsError]]:
    return [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
            if issubclass(obj, errors.WamsError) and obj.__module__ == errors.__name__]


def exception_classes() -> list[tuple[str, str]]:
    """(file, class) of every class in wams/ that derives from something named like an
    exception (…Error, …Exception, or a class of the family)."""
    names = {cls.__name__ for cls in family()} | {"Exception", "BaseException"}
    found = []
    for path in sorted((ROOT / "wams").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b).rpartition(".")[2] for b in node.bases]
            if any(b in names or b.endswith(("Error", "Exception")) for b in bases):
                found.append((str(path.relative_to(ROOT)), node.name))
    return found


def test_every_error_class_is_defined_in_the_error_module() -> None:
    outside = [f for f in exception_classes()
               if f[0] != "wams/core/errors.py" and f not in NOT_IN_FAMILY]
    assert outside == [], "define errors in wams/core/errors.py (the one family)"


def test_the_check_sees_an_error_class_wherever_it_is(tmp_path: Path) -> None:
    # exception_classes() reads the real tree; prove it finds the kinds of bases it must
    assert ("wams/core/errors.py", "InputError") in exception_classes()
    assert ("wams/service/problems.py", "ProblemError") in exception_classes()


def test_every_error_of_the_family_is_exported_from_wams_with_its_edges() -> None:
    problems = pytest.importorskip("wams.service.problems")
    for cls in family():
        assert getattr(wams, cls.__name__) is cls, f"export {cls.__name__} from wams"
        assert cls.__name__ in wams.__all__
        assert cls.exit_code in (errors.EXIT_NO, errors.EXIT_USER), cls
        assert cls.__doc__, f"{cls.__name__}: say what it means"
        if cls is errors.Refused:  # the decision's own reason code: 403 or 422
            continue
        status, _ = problems.SERVICE_PROBLEMS[cls.problem]
        assert status == cls.http_status, (
            f"{cls.__name__}: http_status {cls.http_status} but problem {cls.problem} "
            f"is {status}")


def test_the_old_homes_still_export_the_moved_classes() -> None:
    from wams.core.catalogue import CatalogueError
    from wams.core.engine import Refused
    from wams.core.privacy.keystore import KeyMissingError
    from wams.core.scenario.format import ScenarioError
    from wams.core.storage.database import DatabaseError

    assert (CatalogueError, Refused, KeyMissingError, ScenarioError, DatabaseError) == (
        errors.CatalogueError, errors.Refused, errors.KeyMissingError, errors.ScenarioError,
        errors.DatabaseError)


def test_no_attribute_is_set_on_a_caught_exception() -> None:
    """``exc.flag = True`` on an exception of another library (SQLAlchemy's) is a hidden
    protocol; raise an error of the family instead."""
    found = []
    for path in sorted((ROOT / "wams").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for handler in ast.walk(tree):
            if not isinstance(handler, ast.ExceptHandler) or handler.name is None:
                continue
            for node in ast.walk(handler):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                found += [f"{path.relative_to(ROOT)}:{node.lineno}" for t in targets
                          if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                          and t.value.id == handler.name]
            found += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(handler)
                      if isinstance(node, ast.Call) and ast.unparse(node.func) == "setattr"
                      and node.args and ast.unparse(node.args[0]) == handler.name]
    assert found == []


#: The edges map errors in one place each: no command module or service module catches an
#: error of the family to turn it into output itself.
EDGE_FILES = [*sorted(ROOT.glob("wams/cli_*.py")), *sorted((ROOT / "wams/service").glob("*.py"))]
#: handled, not mapped: a webhook to an address refused since it was made is skipped and
#: logged; an invalid scenario file is collected and the others are still run
HANDLED = {("wams/service/webhooks.py", "TargetRefused"),
           ("wams/cli/scenario.py", "ScenarioError")}


def maps_through_the_one_place(handler: ast.ExceptHandler) -> bool:
    """``raise problem_of(exc)``: the gate answers before the app does, with the same
    mapping."""
    return len(handler.body) == 1 and isinstance(handler.body[0], ast.Raise) \
        and ast.unparse(handler.body[0].exc or handler).startswith("problem_of(")


@pytest.mark.parametrize("path", EDGE_FILES, ids=lambda p: p.name)
def test_edges_map_errors_in_one_place(path: Path) -> None:
    names = {cls.__name__ for cls in family()}
    rel = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    caught = []
    for handler in ast.walk(tree):
        if (isinstance(handler, ast.ExceptHandler) and handler.type is not None
                and not maps_through_the_one_place(handler)):
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            caught += [f"{rel}:{handler.lineno} {n}" for t in types
                       if (n := ast.unparse(t).rpartition(".")[2]) in names
                       and (rel, n) not in HANDLED]
    assert caught == [], "let the error through: wams.cli / wams.service.app map it"


# -- the edges, end to end --------------------------------------------------------------------


def test_cli_shows_an_error_of_the_family_as_one_line_with_its_exit_code(tmp_path: Path) -> None:
    from wams.cli import cli

    result = CliRunner().invoke(cli, ["audit", "verify", "--db",
                                      f"sqlite:///{tmp_path / 'nope.db'}"])
    assert result.exit_code == errors.EXIT_USER
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_cli_mapping_covers_the_family_and_database_errors() -> None:
    from wams.cli import one_line

    assert one_line(errors.KeyInUseError("sleutel  k1\nis de huidige")) == (
        "sleutel k1 is de huidige", errors.EXIT_USER)
    lost = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server\nweg"))
    line, code = one_line(lost)  # type: ignore[misc]
    assert line.startswith("de database geeft een fout: server") and code == errors.EXIT_USER
    assert one_line(KeyError("x")) is None  # an internal error stays one


def test_the_service_maps_each_error_by_its_class() -> None:
    problems = pytest.importorskip("wams.service.problems")
    answer = problems.problem_of(errors.NoKeyStoreError("geen sleutelopslag"))
    assert (answer.problem.status, answer.problem.code) == (503, "service.unavailable")
    assert answer.problem.detail == "geen sleutelopslag"
    assert problems.problem_of(errors.NotFoundError("casus x bestaat niet")).problem.status \
        == 404


# -- no flag on SQLAlchemy's exception: a commit lost on the way is an error of the family ----


def test_a_connection_lost_during_commit_is_commit_unknown_and_not_run_again(
        wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    w = wams
    assert w.hulpvraag("0599", wet="wmo", client=Persoon("a"), vraag="hulp").allowed
    calls = []
    real = sqlalchemy.engine.base.RootTransaction.commit

    def lost(self: Any) -> None:
        calls.append(1)
        real(self)  # stored, but the answer never arrives
        raise sqlalchemy.exc.OperationalError("COMMIT", {}, Exception("server closed"),
                                              connection_invalidated=True)

    monkeypatch.setattr(sqlalchemy.engine.base.RootTransaction, "commit", lost)
    with pytest.raises(errors.CommitUnknown, match="onbekend") as raised:
        w.hulpvraag("0599", wet="wmo", client=Persoon("b"), vraag="hulp")
    monkeypatch.undo()
    assert raised.value.step == "hulpvraag"
    assert len(calls) == 1, "a step whose commit may have happened is never run twice"
    assert len(w.cases("0599")) == 2
