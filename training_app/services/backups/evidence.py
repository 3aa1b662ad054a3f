"""The evidence folders a backup carries, and the rows that name their files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..awareness.evidence_files import evidence_folder
from ..claims.claim_files import invoice_folder


@dataclass(frozen=True)
class EvidenceFolder:
    """A folder of uploaded files and the column that names each file kept there."""

    name: str  # the folder's name inside the backup
    path: Callable[[], Path]
    table: str
    key_column: str


EVIDENCE_FOLDERS = (
    EvidenceFolder("claim-evidence", invoice_folder, "claim_files", "key"),
    EvidenceFolder("awareness-evidence", evidence_folder, "awareness_signoffs", "evidence_key"),
)


def stored_files(folder: Path) -> list[Path]:
    """The files kept in a folder (none when it does not exist yet), by name."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
