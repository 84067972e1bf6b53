"""The generated journal written as an hledger/ledger journal and as a Beancount file, and those tools timed on it.

Accounts are ``<Type>:<association>:<account code>:<fund>`` (``Assets:QT-DH:111:HPD``), one
commodity ``VND``; debits are positive and credits negative, so a tool's balance of an
account is our debit-minus-credit balance of that (association, account, fund).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from benchlib.generate import TREE, JournalGenerator

from ledger.domain.accounts import STANDARD_CHART, AccountType
from ledger.domain.entries import EntryDraft

TOP = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.FUND_BALANCE: "Equity",
    AccountType.REVENUE: "Income",
    AccountType.EXPENSE: "Expenses",
}
ACCOUNT_TYPE = {t.code: t.type for t in STANDARD_CHART}


def account_name(association: str, account: str, fund: str) -> str:
    return f"{TOP[ACCOUNT_TYPE[account]]}:{association}:{account}:{fund}"


def _ledger_transaction(association: str, seq: int, draft: EntryDraft) -> str:
    memo = draft.memo.replace("\n", " ")
    out = [f"{draft.entry_on.isoformat()} * {association} #{seq} {memo}"]
    for line in draft.lines:
        amount = line.debit_vnd - line.credit_vnd
        out.append(f"    {account_name(association, line.account, line.fund)}  {amount} VND")
    return "\n".join(out) + "\n\n"


def _beancount_transaction(association: str, seq: int, draft: EntryDraft) -> str:
    memo = draft.memo.replace('"', "'").replace("\n", " ")
    out = [f'{draft.entry_on.isoformat()} * "{association} #{seq}" "{memo}"']
    for line in draft.lines:
        amount = line.debit_vnd - line.credit_vnd
        out.append(f"  {account_name(association, line.account, line.fund)}  {amount} VND")
    return "\n".join(out) + "\n\n"


def write_journals(n: int, folder: Path) -> tuple[Path, Path]:
    """The first ``n`` generated entries as ``journal.ledger`` and ``journal.beancount`` in ``folder``."""
    ledger_path = folder / "journal.ledger"
    bean_path = folder / "journal.beancount"
    funds = ("GENERAL", "HPD", "TET", "TUSACH", "HTDT")
    seqs = {code: 0 for code, *_ in TREE}
    with ledger_path.open("w", encoding="utf-8") as led, bean_path.open("w", encoding="utf-8") as bean:
        led.write("; Khuyến học Fund Ledger benchmark journal (generated)\n\n")
        bean.write('option "title" "Khuyến học Fund Ledger benchmark"\noption "operating_currency" "VND"\n\n')
        bean.write("2020-01-01 commodity VND\n")
        for code, *_ in TREE:
            for template in STANDARD_CHART:
                for fund in funds:
                    bean.write(f"2020-01-01 open {account_name(code, template.code, fund)} VND\n")
        bean.write("\n")
        for association, drafts in JournalGenerator(None).batches(n):
            led_parts = []
            bean_parts = []
            for draft in drafts:
                seqs[association] += 1
                led_parts.append(_ledger_transaction(association, seqs[association], draft))
                bean_parts.append(_beancount_transaction(association, seqs[association], draft))
            led.write("".join(led_parts))
            bean.write("".join(bean_parts))
    return ledger_path, bean_path


def one_more_transaction(on: date) -> str:
    return (
        f"{on.isoformat()} * QT-DH #extra Tài trợ thêm một khoản\n"
        f"    {account_name('QT-DH', '111', 'HPD')}  1000000 VND\n"
        f"    {account_name('QT-DH', '511', 'HPD')}  -1000000 VND\n\n"
    )


def timed(command: list[str], output: Path) -> dict[str, float | int]:
    """Run ``command`` under GNU time with its output in ``output``; its wall time, peak RSS and exit code."""
    stats = output.with_suffix(".time")
    started = time.perf_counter()
    with output.open("wb") as out:
        completed = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(stats), *command], stdout=out, stderr=subprocess.PIPE, check=False
        )
    seconds = time.perf_counter() - started
    try:
        maxrss_kb = int(stats.read_text().strip().splitlines()[-1])
    except (ValueError, IndexError, OSError):
        maxrss_kb = 0
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr.decode("utf-8", "replace")[-2000:])
    return {"seconds": seconds, "maxrss_mb": maxrss_kb / 1024, "returncode": completed.returncode}


_NUMBER = re.compile(r"-?\d[\d,.]*")


def _amount(text: str) -> int:
    found = _NUMBER.search(text.replace(" ", ""))
    if not found:
        return 0
    return int(found.group(0).replace(",", "").replace(".", ""))


def parse_hledger_csv(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[0] not in ("account", "total", "Total:"):
                out[row[0]] = _amount(row[1])
    return out


def parse_ledger_text(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            name, value = line.split("\t", 1)
            out[name.strip()] = _amount(value)
    return out


def parse_bean_csv(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if len(row) >= 2 and row[0].strip():
                out[row[0].strip()] = int(float(row[1].strip() or 0)) if "." in row[1] else int(row[1].strip() or 0)
    return out


def leaves(balances: dict[str, int]) -> dict[str, int]:
    """Only the leaf accounts (four components), without zero balances."""
    return {name: value for name, value in balances.items() if name.count(":") == 3 and value != 0}


def ours_by_name(trial_balances: Iterable[dict[str, object]]) -> dict[str, int]:
    """Our trial balances (``as_json`` of every association) as tool account names → debit − credit."""
    out: dict[str, int] = {}
    for report in trial_balances:
        association = str(report["association"])
        for row in report["rows"]:  # type: ignore[attr-defined]
            value = int(row["debit"]) - int(row["credit"])
            if value:
                out[account_name(association, row["account"], row["fund"])] = value
    return out


def compare(ours: dict[str, int], theirs: dict[str, int]) -> dict[str, object]:
    theirs = leaves(theirs)
    differing = sorted(name for name in set(ours) | set(theirs) if ours.get(name, 0) != theirs.get(name, 0))
    return {"accounts": len(ours), "agree": not differing, "differing": differing[:5]}


def run_tools(n: int, folder: Path, ours_path: Path | None, extra_on: date) -> dict[str, object]:
    """Write the journals, time hledger, ledger and Beancount on them, and compare their balances with ours."""
    started = time.perf_counter()
    ledger_path, bean_path = write_journals(n, folder)
    result: dict[str, object] = {
        "write_seconds": time.perf_counter() - started,
        "ledger_file_mb": ledger_path.stat().st_size / 2**20,
        "beancount_file_mb": bean_path.stat().st_size / 2**20,
    }
    out = folder / "out"
    out.mkdir(exist_ok=True)
    runs = {
        "hledger_balance": (["hledger", "-f", str(ledger_path), "balance", "--flat", "-O", "csv"], "hledger.csv"),
        "ledger_balance": (
            [
                "ledger",
                "-f",
                str(ledger_path),
                "balance",
                "--flat",
                "--no-total",
                "--balance-format",
                "%(account)\t%(quantity(scrub(display_total)))\n",
            ],
            "ledger.txt",
        ),
        "bean_check": (["bean-check", str(bean_path)], "bean-check.txt"),
        "bean_query_balance": (
            [
                "bean-query",
                "-f",
                "csv",
                str(bean_path),
                "SELECT account, sum(number) AS balance GROUP BY account ORDER BY account",
            ],
            "bean-query.csv",
        ),
    }
    for name, (command, filename) in runs.items():
        result[name] = timed(command, out / filename)
    parsed = {
        "hledger_balance": parse_hledger_csv(out / "hledger.csv"),
        "ledger_balance": parse_ledger_text(out / "ledger.txt"),
        "bean_query_balance": parse_bean_csv(out / "bean-query.csv"),
    }
    if ours_path is not None and ours_path.exists():
        ours = ours_by_name(json.loads(ours_path.read_text()))
        result["agreement"] = {name: compare(ours, values) for name, values in parsed.items()}

    # One more transaction, then the balance: a file-based tool reads the whole file again.
    size = ledger_path.stat().st_size
    with ledger_path.open("a", encoding="utf-8") as handle:
        handle.write(one_more_transaction(extra_on))
    try:
        result["hledger_one_more"] = timed(runs["hledger_balance"][0], out / "hledger-more.csv")
        result["ledger_one_more"] = timed(runs["ledger_balance"][0], out / "ledger-more.txt")
    finally:
        with ledger_path.open("r+b") as handle:
            handle.truncate(size)
    for path in (ledger_path, bean_path):
        path.unlink()
    return result


def _main() -> None:
    n = int(sys.argv[1])
    folder = Path(sys.argv[2])
    ours = Path(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
    print(json.dumps(run_tools(n, folder, ours, date(2026, 1, 5))))


if __name__ == "__main__":
    _main()
