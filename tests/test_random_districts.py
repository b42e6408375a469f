"""Twenty districts the project has never seen (tests/random_districts.py draws them: random levels,
platforms, township counts, letterheads, senders, each with its own copy of a scheme under a new
id), in two deployments of ten (this file and test_random_districts_more.py) so that two test workers share them. Each month runs end to end
through the CLI (`districts`: every district, then the rollup); every district's outputs must be
its own, and one district in each deployment delivers to a real SMTP server from its own sender."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import PERIOD
from random_districts import check_district, draw, gridpulse, output_of
from servers import SmtpServer

pytestmark = pytest.mark.month

DISTRICTS_EACH = 10  # test_random_districts_more.py draws ten more with another seed, on another worker


@pytest.fixture(scope="module")
def seed() -> int:
    return 20261207


@pytest.fixture(scope="module")
def drawn(seed, tmp_path_factory):
    drawn = draw(tmp_path_factory.mktemp(f"random-{seed}"), seed, DISTRICTS_EACH)
    done = gridpulse(drawn, "districts", "--period", PERIOD)
    assert done.returncode == 0, done.stderr[-3000:]
    # `districts` ends with a line "<code>: <state>" per district (the step lines above it say more)
    drawn.states = dict(re.findall(r"^(\d{6,12}): (\w+)$", done.stdout, flags=re.MULTILINE))
    return drawn


def test_every_drawn_district_publishes_under_its_own_scheme(drawn):
    assert drawn.states == {entry["code"]: "published" for entry in drawn.entries}
    listing = gridpulse(drawn, "config", "check")
    assert listing.returncode == 0, listing.stdout + listing.stderr
    for entry in drawn.entries:
        assert (output_of(drawn, entry["code"]) / "bulletin.pdf").is_file()
        assert drawn.schemes[entry["code"]]["scheme_id"] in listing.stdout


def test_each_district_gets_its_own_words_letterhead_scheme_and_totals(drawn):
    for entry in drawn.entries:
        check_district(drawn, entry)


def test_a_district_mails_from_its_own_sender_to_its_own_units(drawn, tmp_path):
    entry = drawn.entries[1]
    code, sender = entry["code"], entry["district"]["sender"]
    recipients = tmp_path / "delivery.yml"
    recipients.write_text(f"extends: include/config/delivery.yml\norgs:\n  \"{code}\": {{name: {entry['name']}, email: [zzzx@{code}.example.org]}}\n",
                          encoding="utf-8")
    data = yaml.safe_load(drawn.deployment.read_text(encoding="utf-8"))
    next(e for e in data["districts"] if e["code"] == code)["delivery"] = str(recipients)
    drawn.deployment.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    with SmtpServer(tmp_path) as smtp:
        done = gridpulse(drawn, "--district", code, "deliver", "--period", PERIOD, GRIDPULSE_DELIVERY="on",
                         AIRFLOW_CONN_GRIDPULSE_SMTP=smtp.connection_json("shared-noreply@example.org"),
                         SSL_CERT_FILE=str(smtp.cert_path))
        assert done.returncode == 0, done.stderr[-3000:]
        envelopes = list(smtp.sink.messages)
    assert [m["rcpt_tos"] for m in envelopes] == [[f"zzzx@{code}.example.org"]]
    assert envelopes[0]["mail_from"] == sender["email"]
    messages = [m["message"] for m in envelopes]
    assert messages[0]["From"].addresses[0].addr_spec == sender["email"]
    assert messages[0]["From"].addresses[0].display_name == sender["name"]
    assert entry["name"] in messages[0]["Subject"]
