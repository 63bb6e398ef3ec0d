"""Operational logs never carry personal data, tokens or keys."""

from __future__ import annotations

import io
import json
import logging

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from connectors import SigningKey, sign_request_token
from hub.logging import WITHHELD, scrub

BSN = "123456782"  # invented; passes the 11-proef


class TestScrub:
    def test_bsn_shaped_numbers(self) -> None:
        assert BSN not in scrub(f"melding over {BSN} ontvangen")

    def test_hex_ids_are_left_alone(self) -> None:
        trace = f"8a73b6bdfb{BSN}bf67fdb873647c"
        assert scrub(trace) == trace

    def test_tokens_and_keys(self) -> None:
        key = SigningKey.generate()
        token, _ = sign_request_token(
            key, issuer="p", subject="s", audience="https://h", method="GET", url="https://h/"
        )
        assert token not in scrub(f"token {token}")
        assert "Bearer [token]" in scrub("Authorization: Bearer abc.def")
        # A real key, made now: no key-shaped text lives in the repository.
        pem = (
            Ed25519PrivateKey.generate()
            .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            .decode("ascii")
        )
        body = pem.splitlines()[1]
        assert body not in scrub(f"loaded {pem}")


class TestPipeline:
    def test_unknown_fields_are_withheld_and_safe_ones_scrubbed(self, captured_logs: io.StringIO) -> None:
        structlog.get_logger("test").info(
            "melding.received", bsn=BSN, naam="Jan Jansen", partner_id="politie-limburg", reason=f"bsn {BSN}"
        )
        [line] = [json.loads(x) for x in captured_logs.getvalue().splitlines() if "melding.received" in x]
        assert line["bsn"] == WITHHELD
        assert line["naam"] == WITHHELD
        assert line["partner_id"] == "politie-limburg"
        assert BSN not in line["reason"]

    def test_third_party_log_lines_are_scrubbed_too(self, captured_logs: io.StringIO) -> None:
        logging.getLogger("sqlalchemy.engine").warning("parameters: (%s, 'Jan')", BSN)
        assert "parameters" in captured_logs.getvalue()
        assert BSN not in captured_logs.getvalue()

    def test_exception_text_is_dropped_but_its_type_kept(self, captured_logs: io.StringIO) -> None:
        try:
            raise ValueError(f"row for {BSN} Jan Jansen")
        except ValueError:
            structlog.get_logger("test").exception("failed")
        output = captured_logs.getvalue()
        assert "ValueError" in output
        assert BSN not in output
        assert "Jansen" not in output
