"""Uploaded convenant files: several YAML files, a zip or a tar.gz of the directory; read in memory, limited."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from hub.kit.archives import MAX_FILE_BYTES, ArchiveError, files_from_upload
from hub.policy.convenant.format import FormatError, parse_source, raw_from_files
from tests.conftest import SAMPLE_CONVENANT


def _directory() -> dict[str, bytes]:
    return {str(p.relative_to(SAMPLE_CONVENANT.parent)): p.read_bytes() for p in SAMPLE_CONVENANT.rglob("*.yaml")}


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


class TestUploads:
    @pytest.mark.parametrize("pack", [_zip, _tar], ids=["zip", "tar.gz"])
    def test_an_archive_of_the_directory_is_the_same_convenant(self, pack: object) -> None:
        loose = raw_from_files(files_from_upload([(name.rsplit("/", 1)[-1], c) for name, c in _directory().items()]))
        name = "zuid-limburg.zip" if pack is _zip else "zuid-limburg.tar.gz"
        packed = raw_from_files(files_from_upload([(name, pack(_directory()))]))  # type: ignore[operator]
        assert packed == loose
        assert parse_source(packed).convenant.convenant == "zuid-limburg"

    def test_paths_in_an_archive_go_nowhere(self) -> None:
        files = files_from_upload([("x.zip", _zip({"../../etc/convenant.yaml": b"a: 1"}))])
        raw = raw_from_files({**files, **{n.rsplit("/", 1)[-1]: c for n, c in _directory().items()}})
        assert "convenant" in raw, "a path is only ever read as a name; nothing is written anywhere"

    def test_a_broken_archive_or_a_huge_file_is_refused_with_its_name(self) -> None:
        with pytest.raises(ArchiveError, match=r"kapot\.zip"):
            files_from_upload([("kapot.zip", b"no zip at all")])
        with pytest.raises(ArchiveError, match="groter dan"):
            files_from_upload([("groot.tar.gz", _tar({"regels/a.yaml": b"x" * (MAX_FILE_BYTES + 1)}))])

    def test_missing_files_and_bad_yaml_are_named(self) -> None:
        with pytest.raises(FormatError) as caught:
            raw_from_files({"convenant.yaml": b"a: [", "regels/x.yaml": b"verstrekker: x"})
        problems = {(f, m) for f, _, m in caught.value.problems}
        assert ("convenant.yaml", "not valid YAML") in problems
        assert ("vocabulaires.yaml", "the file is missing") in problems
