"""Templates compiled once are kept, on disk for `hindsite build` and in memory for a running server, and a
template whose source changed is compiled anew."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from conftest import MakeSite

from hindsite.core.config import load_config
from hindsite.render.site import Compiled, make_environment


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates Jinja compiled from their source."""
    seen: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        seen.append(name or "")
        return real(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


@pytest.mark.parametrize("where", ["folder", "memory"])
def test_a_template_is_compiled_once_and_again_only_when_it_changes(
    make_site: MakeSite, tmp_path: Path, compiles: list[str], where: str
) -> None:
    site = make_site(tmp_path, {"overrides/note.html": "<p>{{ 1 + 1 }}</p>"}, 'title = "x"\n')
    config = load_config(site / "site.toml")
    kept: Compiled = tmp_path / "compiled" if where == "folder" else {}
    assert make_environment(config, kept).get_template("note.html").render() == "<p>2</p>"
    assert compiles == ["note.html"]
    assert make_environment(config, kept).get_template("note.html").render() == "<p>2</p>"
    assert compiles == ["note.html"]  # a new environment, as each build makes: loaded, not compiled
    (site / "overrides" / "note.html").write_text("<p>{{ 2 + 2 }}</p>", encoding="utf-8")
    assert make_environment(config, kept).get_template("note.html").render() == "<p>4</p>"
    assert compiles == ["note.html", "note.html"]
