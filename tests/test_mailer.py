"""Issue 9: sending the notices by e-mail, against a local SMTP server (aiosmtpd), never a real one."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

import pytest

from nqtrack.i18n import language, set_language
from nqtrack.mailer import MailError, MailSettings, build_message, send_all

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

HOST = "127.0.0.1"
UNITS = [
    ("Vụ Pháp chế", "phapche@bo.gov.vn"),
    ("Vụ Tổ chức cán bộ", "tccb@bo.gov.vn"),
    ("Văn phòng Đảng ủy Khối các cơ quan Trung ương tại Hà Nội", "vpdu@bo.gov.vn"),  # a long subject, folded
]


def free_port() -> int:
    """A port nobody listens on (older aiosmtpd Controllers cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(autouse=True)
def _english():
    saved = language()
    set_language("en")
    yield
    set_language(saved)


def _start(handler, **smtp_parameters):
    port = free_port()
    controller = aiosmtpd_controller.Controller(handler, hostname=HOST, port=port, **smtp_parameters)
    controller.start()
    return controller, port


@pytest.fixture
def server():
    handler = Collector()
    controller, port = _start(handler)
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def auth_server():
    """A server that accepts only user "vp" with password "đúng-mật-khẩu" (no TLS: a test)."""
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"vp" and auth_data.password == "đúng-mật-khẩu".encode()
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    handler = Collector()
    controller, port = _start(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        yield handler, port
    finally:
        controller.stop()


def messages(sender: str = "Văn phòng Bộ <vanphong@bo.gov.vn>"):
    return [
        build_message(sender, [address], f"V/v đôn đốc thực hiện nhiệm vụ — {unit}",
                      f"Kính gửi: {unit}\n\nĐề nghị {unit} khẩn trương thực hiện.\n")
        for unit, address in UNITS
    ]


def settings(port: int, **changes) -> MailSettings:
    values = dict(host=HOST, port=port, starttls=False, sender="vanphong@bo.gov.vn")
    values.update(changes)
    return MailSettings(**values)


EXPECTED_LINES = [f"{address} → V/v đôn đốc thực hiện nhiệm vụ — {unit}" for unit, address in UNITS]


def test_one_message_per_unit_with_its_recipient_and_subject(server):
    handler, port = server
    assert send_all(settings(port), messages()) == EXPECTED_LINES
    assert len(handler.envelopes) == 3
    for envelope, (unit, address) in zip(handler.envelopes, UNITS, strict=True):
        assert envelope.rcpt_tos == [address]
        assert envelope.mail_from == "vanphong@bo.gov.vn"
        raw = envelope.original_content or envelope.content
        assert raw.isascii()  # headers RFC 2047-encoded, body transfer-encoded: any server takes it
        received = email.message_from_bytes(raw, policy=default_policy)
        assert received["Subject"] == f"V/v đôn đốc thực hiện nhiệm vụ — {unit}"
        assert received["From"].addresses[0].display_name == "Văn phòng Bộ"
        assert received.get_content() == f"Kính gửi: {unit}\n\nĐề nghị {unit} khẩn trương thực hiện.\n"


def test_dry_run_sends_nothing(server):
    handler, port = server
    assert send_all(settings(port), messages(), dry_run=True) == EXPECTED_LINES
    assert handler.envelopes == []


def test_dry_run_needs_no_server_nor_password(monkeypatch):
    monkeypatch.delenv("NQTRACK_SMTP_PASSWORD", raising=False)
    assert send_all(settings(free_port(), user="vp"), messages(), dry_run=True) == EXPECTED_LINES


def test_a_closed_port_is_a_clear_error():
    port = free_port()
    with pytest.raises(MailError) as caught:
        send_all(settings(port), messages())
    assert f"{HOST}:{port}" in str(caught.value)
    assert str(caught.value).startswith("Cannot connect to the mail server")


def test_a_missing_password_variable_is_a_clear_error(server, monkeypatch):
    handler, port = server
    monkeypatch.delenv("NQTRACK_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailError) as caught:
        send_all(settings(port, user="vp"), messages())
    assert "NQTRACK_SMTP_PASSWORD" in str(caught.value)
    assert handler.envelopes == []


def test_login_with_the_password_from_the_environment(auth_server, monkeypatch):
    handler, port = auth_server
    monkeypatch.setenv("SMTP_PW_FOR_TEST", "đúng-mật-khẩu")
    send_all(settings(port, user="vp", password_env="SMTP_PW_FOR_TEST"), messages())
    assert [e.rcpt_tos for e in handler.envelopes] == [[address] for _unit, address in UNITS]


def test_a_wrong_password_is_a_clear_error(auth_server, monkeypatch):
    handler, port = auth_server
    monkeypatch.setenv("NQTRACK_SMTP_PASSWORD", "sai")
    with pytest.raises(MailError) as caught:
        send_all(settings(port, user="vp"), messages())
    assert str(caught.value) == f"Authentication as vp on {HOST}:{port} failed."
    assert handler.envelopes == []


def test_starttls_on_a_server_without_it_is_a_clear_error(server):
    handler, port = server
    with pytest.raises(MailError) as caught:
        send_all(settings(port, starttls=True), messages())
    assert str(caught.value) == f"The mail server {HOST}:{port} does not offer STARTTLS."
    assert handler.envelopes == []


def test_a_refused_recipient_is_a_clear_error(server):
    handler, port = server

    async def refuse_second(server_, session, envelope, address, rcpt_options):
        if address.startswith("tccb@"):
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    handler.handle_RCPT = refuse_second
    with pytest.raises(MailError) as caught:
        send_all(settings(port), messages())
    assert str(caught.value) == "The mail server refused the recipient tccb@bo.gov.vn. 1 of 3 messages had been sent."
    assert caught.value.sent == EXPECTED_LINES[:1]
    assert len(handler.envelopes) == 1


def test_attachments_and_no_recipient(tmp_path):
    notice = tmp_path / "don-doc-PC-2022-11-15.docx"
    notice.write_bytes(b"PK\x03\x04 not really a docx")
    message = build_message("vanphong@bo.gov.vn", ["a@bo.gov.vn", "b@bo.gov.vn"], "Tiêu đề", "Nội dung", [notice])
    assert message["To"] == "a@bo.gov.vn, b@bo.gov.vn"
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == notice.name
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert part.get_content() == notice.read_bytes()
    with pytest.raises(MailError):
        build_message("vanphong@bo.gov.vn", [], "Tiêu đề", "Nội dung")
