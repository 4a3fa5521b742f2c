"""A backup killed with everything copied but its manifest: no folder restore
would accept, a plain refusal of the unfinished one, and the next backup says
where the unfinished one is."""

from __future__ import annotations

import pytest

from openproms.backup.errors import BackupError
from openproms.backup.services import backup_read
from openproms.cli import main
from tests.conftest import _tenant
from tests.faults.conftest import Shared

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_killed_before_its_manifest_leaves_nothing_restorable(
    shared: Shared, capsys: pytest.CaptureFixture[str]
) -> None:
    _tenant("alpha", "Alpha Charity")
    (shared.media / "scans").mkdir()
    (shared.media / "scans" / "page-1.png").write_bytes(b"an image")
    to = shared.data_dir.parent / "nightly"
    shared.kill_at("backup.before_manifest", "openproms.cli", "backup", "--to", str(to))
    assert not to.exists()
    (partial,) = [p for p in to.parent.iterdir() if p.name.startswith(".nightly.")]
    assert (partial / "database.sqlite3").exists() or (
        partial / "database.pgdump"
    ).exists()  # the database was copied; only the manifest is missing
    assert main(["restore", str(partial)]) == 1
    assert "is an unfinished backup" in capsys.readouterr().err
    with pytest.raises(BackupError, match="unfinished backup"):
        backup_read(partial, None)
    # Renamed by hand it is still refused: it has no manifest.
    named = to.parent / "renamed"
    partial.rename(named)
    with pytest.raises(BackupError, match=r"no manifest\.json: it is not a complete"):
        backup_read(named, None)
    named.rename(partial)
    out = shared.run("openproms.cli", "backup", "--to", str(to))
    manifest, _ = backup_read(to, None)
    assert "files/media/scans/page-1.png" in {f.path for f in manifest.files}
    assert f"stopped part-way are in {to.parent}: {partial.name}." in out
