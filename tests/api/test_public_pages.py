"""Pages without log-in: an association's chain head, to keep a copy of and check later."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient

from ledger.domain.chain import checkpoint_message
from tests.factories import auth, donate, make_association, set_up_books


def test_anyone_reads_the_chain_head_as_the_verification_api_gives_it_and_can_download_it(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    donate(client, books, 1_200_000)
    donate(client, books, 300_000)
    verified = client.get(f"/api/v1/associations/{books.code}/verify", headers=auth(books.treasurer)).get_json()
    as_json = client.get(f"/public/{books.code}/chain", headers={"Accept": "application/json"}).get_json()
    assert (as_json["head_seq"], as_json["head_hash"]) == (verified["head_seq"], verified["head_hash"])
    assert as_json["code"] == books.code and as_json["checkpoint"] is None and as_json["head_at"]
    html = client.get(f"/public/{books.code}/chain").get_data(as_text=True)
    assert f'data-field="head_hash"><code>{verified["head_hash"]}</code>' in html
    assert f'data-field="head_seq">{verified["head_seq"]}<' in html
    download = client.get(f"/public/{books.code}/chain.json")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.get_json() == as_json
    # A new entry moves the head: the copy kept before no longer is the head, but its entry is still in the chain.
    donate(client, books, 50_000)
    moved = client.get(f"/public/{books.code}/chain.json").get_json()
    assert moved["head_seq"] == as_json["head_seq"] + 1 and moved["head_hash"] != as_json["head_hash"]
    kept = client.get(
        f"/api/v1/associations/{books.code}/entries/{as_json['head_seq']}", headers=auth(books.treasurer)
    ).get_json()
    assert kept["hash"] == as_json["head_hash"]


def test_an_association_without_entries_shows_the_genesis_head_and_an_unknown_code_is_404(
    app: Flask, client: FlaskClient
) -> None:
    empty = make_association(app)
    body = client.get(f"/public/{empty}/chain", headers={"Accept": "application/json"}).get_json()
    assert body["head_seq"] == 0 and body["head_at"] is None
    assert client.get("/public/NO-SUCH-CODE/chain").status_code == 404
    unknown = client.get("/public/NO-SUCH-CODE/chain", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.get_json() == {"status": "unknown"}


def test_the_chain_page_shows_the_newest_signed_checkpoint_as_ledger_verify_checks_it(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    donate(client, books, 1_200_000)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ledger", "checkpoint", "--association", books.code]).exit_code == 0
    donate(client, books, 300_000)
    body = client.get(f"/public/{books.code}/chain", headers={"Accept": "application/json"}).get_json()
    point = body["checkpoint"]
    # Signed before the second donation: the head has moved past it since.
    assert point["seq"] == body["head_seq"] - 1
    entry = client.get(f"/api/v1/associations/{books.code}/entries/{point['seq']}", headers=auth(books.treasurer))
    assert point["hash"] == entry.get_json()["hash"]
    signed = datetime.fromisoformat(point["signed_at"])
    keys = app.extensions["ledger.db"].checkpoint_keys
    message = checkpoint_message(books.code, point["seq"], point["hash"], signed)
    keys.trusted()[point["key_id"]].verify(bytes.fromhex(point["signature"]), message)
    html = client.get(f"/public/{books.code}/chain").get_data(as_text=True)
    assert f'data-field="checkpoint_signature">{point["signature"]}<' in html
