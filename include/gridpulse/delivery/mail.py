"""Email: one message per address, with the month's files and any extra files of the org units
the address is listed under (a township's follow-up list reaches that township only).

The server comes from an Airflow SMTP connection, read with the SMTP provider's field names
(host, port, login, password; extras from_email, disable_ssl, disable_tls, timeout). Messages are
sent with smtplib rather than the provider's SmtpHook because the hook re-sends a message up to
`retry_limit` times after any error (a reply lost after the server accepted it would deliver it
twice) and names attachments by their file names, not the Chinese names recipients see.
"""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate

from gridpulse.connections import connection, flag
from gridpulse.delivery.month import Attachment


@dataclass
class Recipient:
    address: str
    orgs: list[str] = field(default_factory=list)        # org codes it is listed under
    org_names: list[str] = field(default_factory=list)
    extras: list[Attachment] = field(default_factory=list)  # files of those orgs only


def recipients(orgs: dict, extras: dict[str, list[Attachment]]) -> list[Recipient]:
    """Every address once, with the orgs it is listed under and their extra files."""
    unknown = sorted(set(extras) - {code for code, org in orgs.items() if org.get("email")})
    if unknown:
        raise ValueError(f"这些单位有附加文件但 delivery.yml 中没有其邮箱：{', '.join(unknown)} "
                         "(extra files for org units with no email recipients)")
    by_address: dict[str, Recipient] = {}
    for code, org in orgs.items():
        for address in org.get("email") or []:
            person = by_address.setdefault(address.strip().lower(), Recipient(address.strip()))
            person.orgs.append(code)
            person.org_names.append(org["name"])
            person.extras.extend(extras.get(code, []))
    return list(by_address.values())


def message(sender: str, recipient: Recipient, subject: str, body: str, files: list[Attachment],
            message_key: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient.address
    msg["Date"] = formatdate(localtime=True)
    # the same bulletin to the same address always has the same Message-ID, so a mail system
    # that still sees a copy twice can drop it
    msg["Message-ID"] = f"<{hashlib.sha256(message_key.encode()).hexdigest()[:32]}@gridpulse>"
    msg.set_content(body, charset="utf-8", cte="base64")  # 7-bit clean: no server needs 8BITMIME
    if html:  # the same words, for clients that show HTML; plain text stays for the others
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    for item in files:
        maintype, subtype = item.mime_type
        # email's default policy writes a non-ASCII name as RFC 2231 (filename*=utf-8''...)
        msg.add_attachment(item.path.read_bytes(), maintype=maintype, subtype=subtype, filename=item.name)
    return msg


class SmtpServer:
    """An open SMTP session on the server of an Airflow connection."""

    def __init__(self, conn_id: str, sender_name: str, sender_email: str | None = None):
        conn = connection(conn_id)
        extra = conn.extra_dejson
        # a district's own address (its profile's sender) over the shared connection's
        self.from_email = sender_email or extra.get("from_email") or conn.login
        if not self.from_email:
            raise ValueError(f"SMTP 连接 {conn_id} 未设置发件地址 (set extra from_email or login)")
        self.sender = formataddr((sender_name, self.from_email))
        use_ssl = not flag(extra.get("disable_ssl", False))
        timeout = int(extra.get("timeout", 30))
        port = conn.port or (465 if use_ssl else 587)
        self.client = (smtplib.SMTP_SSL(conn.host, port, timeout=timeout, context=ssl.create_default_context())
                       if use_ssl else smtplib.SMTP(conn.host, port, timeout=timeout))
        if not use_ssl and not flag(extra.get("disable_tls", False)):
            self.client.starttls(context=ssl.create_default_context())
            self.client.ehlo()
        if conn.login and conn.password:
            self.client.login(conn.login, conn.password)

    def send(self, msg: EmailMessage, address: str) -> str:
        refused = self.client.send_message(msg, from_addr=self.from_email, to_addrs=[address])
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        return "250 accepted"

    def close(self) -> None:
        try:
            self.client.quit()
        except smtplib.SMTPException:
            self.client.close()
