"""The hub's signing keys: made once, rotated with the old key still published, retired, 0600 on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from connectors import SigningKey
from hub.keys.keyring import HubKeyring, KeyringError


class TestKeyring:
    def test_init_makes_one_private_key_readable_by_its_owner_only(self, tmp_path: Path) -> None:
        keyring = HubKeyring(tmp_path)
        keyset, created = keyring.init(demo=False)
        assert created
        private = keyring.directory / f"{keyset.active.kid}.private.jwk"
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        assert stat.S_IMODE(keyring.directory.stat().st_mode) == 0o700
        assert keyring.signing_key().kid == keyset.active.kid
        assert "d" not in keyset.active.public_jwk

    def test_init_twice_keeps_the_key(self, tmp_path: Path) -> None:
        keyring = HubKeyring(tmp_path)
        first, _ = keyring.init(demo=False)
        second, created = keyring.init(demo=False)
        assert not created
        assert second.active.kid == first.active.kid

    def test_rotate_then_retire(self, tmp_path: Path) -> None:
        keyring = HubKeyring(tmp_path)
        keyring.init(demo=False)
        old, new = keyring.rotate()
        published = {jwk["kid"] for jwk in keyring.load().published()}
        assert published == {old.kid, new.kid}
        assert keyring.signing_key().kid == new.kid
        keyring.retire(old.kid)
        assert {jwk["kid"] for jwk in keyring.load().published()} == {new.kid}

    def test_the_active_key_cannot_be_retired(self, tmp_path: Path) -> None:
        keyring = HubKeyring(tmp_path)
        keyset, _ = keyring.init(demo=False)
        with pytest.raises(KeyringError, match="cannot be retired"):
            keyring.retire(keyset.active.kid)

    def test_a_key_file_is_never_overwritten(self, tmp_path: Path) -> None:
        key = SigningKey.generate()
        key.save(tmp_path / "k.jwk")
        with pytest.raises(Exception, match="refusing to overwrite"):
            SigningKey.generate().save(tmp_path / "k.jwk")
        assert SigningKey.load(tmp_path / "k.jwk").kid == key.kid


class TestJwksEndpoint:
    def test_publishes_active_and_rotated_keys_and_follows_rotation(self, http: httpx.Client, keys_dir: Path) -> None:
        keyring = HubKeyring(keys_dir)
        first = keyring.load().active.kid
        response = http.get("/.well-known/jwks.json")
        assert response.headers["content-type"] == "application/jwk-set+json"
        assert [k["kid"] for k in response.json()["keys"]] == [first]
        _, new = keyring.rotate()
        assert {k["kid"] for k in http.get("/.well-known/jwks.json").json()["keys"]} == {first, new.kid}
        keyring.retire(first)
        assert [k["kid"] for k in http.get("/.well-known/jwks.json").json()["keys"]] == [new.kid]
        assert all("d" not in k for k in http.get("/.well-known/jwks.json").json()["keys"])


class TestWithoutKeys:
    def test_jwks_is_a_503_problem_that_says_what_to_run(self, http: httpx.Client, keys_dir: Path) -> None:
        for path in (keys_dir / "hub").iterdir():
            path.unlink()
        response = http.get("/.well-known/jwks.json")
        assert response.status_code == 503
        assert response.json()["code"] == "hub-keys-missing"
        assert "schakel keys init" in response.json()["detail"]
