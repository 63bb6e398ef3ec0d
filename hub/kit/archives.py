"""Files uploaded from a browser: several files, or one .zip or .tar.gz archive, read in memory (never unpacked
to disk, so a path in an archive cannot escape anywhere), with limits on count and size."""

from __future__ import annotations

import io
import tarfile
import zipfile

MAX_FILES = 200
MAX_FILE_BYTES = 512 * 1024


class ArchiveError(ValueError):
    """The upload cannot be read; the message says why (never its content)."""


def files_from_upload(uploads: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """name -> bytes of every file: archives (.zip, .tar.gz, .tgz) are opened, other files taken as they are."""
    files: dict[str, bytes] = {}
    for name, content in uploads:
        lowered = name.lower()
        if lowered.endswith(".zip"):
            files.update(_zip(name, content))
        elif lowered.endswith((".tar.gz", ".tgz", ".tar")):
            files.update(_tar(name, content))
        elif name:
            files[name] = content
        if len(files) > MAX_FILES:
            raise ArchiveError(f"meer dan {MAX_FILES} bestanden")
    return files


def _zip(name: str, content: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            _check(name, [(m.filename, m.file_size) for m in members])
            return {m.filename: archive.read(m) for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError):
        raise ArchiveError(f"{name} is geen leesbaar zip-archief") from None


def _tar(name: str, content: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            _check(name, [(m.name, m.size) for m in members])
            found: dict[str, bytes] = {}
            for member in members:
                extracted = archive.extractfile(member)
                if extracted is not None:
                    found[member.name] = extracted.read(MAX_FILE_BYTES + 1)
            return found
    except (tarfile.TarError, EOFError, OSError):
        raise ArchiveError(f"{name} is geen leesbaar tar-archief") from None


def _check(name: str, members: list[tuple[str, int]]) -> None:
    if len(members) > MAX_FILES:
        raise ArchiveError(f"{name} bevat meer dan {MAX_FILES} bestanden")
    for member, size in members:
        if size > MAX_FILE_BYTES:
            raise ArchiveError(f"{name}: {member} is groter dan {MAX_FILE_BYTES // 1024} KiB")
