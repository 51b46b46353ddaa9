"""The public API is what hindsite/__init__.py lists; changing it is a deliberate act."""

from __future__ import annotations

import hindsite


def test_public_api_is_exactly_what_is_listed() -> None:
    assert sorted(hindsite.__all__) == sorted([
        "ActionItem", "BuildResult", "ConfigError", "Diagnostic", "Incident", "Level", "SCHEMA_VERSION", "Section",
        "SiteConfig", "TimelineEvent", "__version__", "build", "export_document", "export_paths", "load", "load_config",
    ])
    for name in hindsite.__all__:
        assert hasattr(hindsite, name), name


def test_building_through_the_api(tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = tmp_path / "content"
    content.mkdir()
    (content / "2024-01-02-db.md").write_text("# Database failover\n\n## Impact\nWrites failed.\n", encoding="utf-8")
    config = hindsite.SiteConfig(root=tmp_path, content_dir=content, output_dir=tmp_path / "out")
    result = hindsite.build(config)
    assert [i.title for i in result.loaded.archive.incidents] == ["Database failover"]
    assert (tmp_path / "out" / "incidents" / "2024-01-02-db.html").is_file()
