"""Settings, and the production start-up check that refuses insecure values and says which."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.config import Environment, LogFormat, Settings, get_settings
from hub.errors import ConfigurationError
from hub.keys.keyring import HubKeyring
from hub.main import create_app
from hub.pseudonym.secrets import PrivacySecrets


def _production(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.PRODUCTION,
        "public_url": "https://schakel.example",
        "keys_dir": tmp_path / "keys",
        "data_dir": tmp_path / "data",
        "log_format": LogFormat.JSON,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _init_keys(settings: Settings) -> None:
    HubKeyring(settings.keys_dir).init(demo=False)
    PrivacySecrets(settings.keys_dir).init()


class TestDefaults:
    def test_embedded_sqlite_in_the_data_dir(self, tmp_path: Path) -> None:
        settings = Settings(data_dir=tmp_path)
        assert settings.effective_database_url == f"sqlite:///{tmp_path.as_posix()}/schakel.db"
        assert settings.effective_log_format is LogFormat.CONSOLE

    def test_read_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SCHAKEL_PUBLIC_URL", "https://hub.zvh.example/")
        monkeypatch.setenv("SCHAKEL_DATABASE_URL", "postgresql://hub@db/schakel")
        settings = Settings()
        assert settings.public_url == "https://hub.zvh.example"
        assert settings.effective_database_url == "postgresql://hub@db/schakel"

    @pytest.mark.parametrize("url", ["schakel.example", "ftp://schakel.example", "https://schakel.example/?x=1"])
    def test_public_url_must_be_a_base_url(self, url: str) -> None:
        with pytest.raises(ValidationError, match="SCHAKEL_PUBLIC_URL"):
            Settings(public_url=url)


class TestProductionRefusals:
    def test_a_sound_production_setup_starts(self, tmp_path: Path) -> None:
        settings = _production(tmp_path)
        _init_keys(settings)
        assert create_app(settings, configure_logs=False) is not None

    @pytest.mark.parametrize(
        ("overrides", "says"),
        [
            ({"public_url": "http://schakel.example"}, "SCHAKEL_PUBLIC_URL must use https"),
            ({"log_format": LogFormat.CONSOLE}, "SCHAKEL_LOG_FORMAT must be json"),
            ({"log_level": "DEBUG"}, "DEBUG is not allowed"),
            ({"token_leeway_seconds": 120}, "widens the replay window"),
        ],
    )
    def test_insecure_settings(self, tmp_path: Path, overrides: dict[str, object], says: str) -> None:
        settings = _production(tmp_path, **overrides)
        _init_keys(settings)
        with pytest.raises(ConfigurationError, match=says):
            create_app(settings, configure_logs=False)

    def test_missing_keys(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError, match="no hub signing key"):
            create_app(_production(tmp_path), configure_logs=False)

    def test_demo_keys(self, tmp_path: Path) -> None:
        settings = _production(tmp_path)
        HubKeyring(settings.keys_dir).init(demo=True)
        with pytest.raises(ConfigurationError, match="made with --demo"):
            create_app(settings, configure_logs=False)

    def test_demo_partner_keys_on_the_host(self, tmp_path: Path) -> None:
        settings = _production(tmp_path)
        _init_keys(settings)
        (settings.keys_dir / "demo").mkdir()
        (settings.keys_dir / "demo" / "politie.private.jwk").write_text("{}")
        with pytest.raises(ConfigurationError, match="demo partner keys"):
            create_app(settings, configure_logs=False)

    def test_private_key_readable_by_others(self, tmp_path: Path) -> None:
        settings = _production(tmp_path)
        keyset, _ = HubKeyring(settings.keys_dir).init(demo=False)
        PrivacySecrets(settings.keys_dir).init()
        (settings.keys_dir / "hub" / f"{keyset.active.kid}.private.jwk").chmod(0o644)
        with pytest.raises(ConfigurationError, match="chmod 600"):
            create_app(settings, configure_logs=False)

    def test_every_problem_is_named_at_once(self, tmp_path: Path) -> None:
        settings = _production(tmp_path, public_url="http://schakel.example", log_level="DEBUG")
        with pytest.raises(ConfigurationError) as refused:
            create_app(settings, configure_logs=False)
        message = str(refused.value)
        assert "https" in message
        assert "DEBUG" in message
        assert "no hub signing key" in message


class TestSecretsDir:
    def test_a_setting_can_come_from_a_secret_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "schakel_database_url").write_text("postgresql://hub:geheim@db/schakel")
        monkeypatch.setenv("SCHAKEL_SECRETS_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            assert get_settings().effective_database_url == "postgresql://hub:geheim@db/schakel"
        finally:
            get_settings.cache_clear()
