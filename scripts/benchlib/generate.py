"""A realistic, deterministic fund journal for an association tree, as drafts for ``post_entries``.

The same seed gives the same journal, so the SQLite run, the PostgreSQL run and the
hledger / ledger / Beancount files all hold the same entries, and the 10^4 journal is the
first tenth of the 10^5 one. The generator keeps its own running balances so that it never
asks the service to overdraw cash, bank or goods (a refused posting would stop the run):
a spend that the fund cannot afford becomes a donation into that fund instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.domain.entries import EntryDraft, LineDraft

SEED = 20261123
#: Drafts per unit of work when bulk posting (a treasurer's import, an award ceremony).
BATCH_SIZE = 1000
FIRST_DAY = date(2021, 1, 4)
#: The journal covers about five years whatever its size.
DAYS = 5 * 365

#: (code, name, level, parent, share of the entries). The city keeps most of the books.
TREE: tuple[tuple[str, str, str, str | None, float], ...] = (
    ("QT", "Hội Khuyến học tỉnh Quảng Trị", "province", None, 0.10),
    ("QT-DH", "Hội Khuyến học thành phố Đông Hà", "district", "QT", 0.60),
    ("QT-DH-P1", "Hội Khuyến học phường 1, Đông Hà", "commune", "QT-DH", 0.10),
    ("QT-DH-P5", "Hội Khuyến học phường 5, Đông Hà", "commune", "QT-DH", 0.10),
    ("QT-DH-NT", "Ban Khuyến học Trường THCS Nguyễn Trãi", "school", "QT-DH", 0.10),
)
#: The association whose reads, exports and receipts are measured.
MAIN = "QT-DH"
#: (fund code, preset) created in every association besides GENERAL.
FUNDS: tuple[tuple[str, str], ...] = (
    ("HPD", "hoa_phuong_do"),
    ("TET", "tet_gifts"),
    ("TUSACH", "bookcases"),
    ("HTDT", "school_support"),
)
DONORS_PER_ASSOCIATION = 300
BENEFICIARIES_PER_ASSOCIATION = 800

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
    "Lương",
    "Hà",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Hồng",
    "Quốc",
    "Thu",
    "Xuân",
    "Gia",
    "Bảo",
    "Khánh",
    "Như",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tú",
    "Tuấn",
    "Vân",
    "Vy",
    "Yến",
    "Ánh",
    "Đạt",
    "Giang",
    "Hiếu",
    "Khoa",
    "Lộc",
    "Nhi",
    "Thư",
]
COMPANIES = (
    "Công ty TNHH Thương mại Đông Hà",
    "Công ty Cổ phần Xây dựng Quảng Trị",
    "Ngân hàng TMCP Ngoại thương — Chi nhánh Quảng Trị",
    "Công ty TNHH Một thành viên Cao su Quảng Trị",
    "Hợp tác xã Nông nghiệp Triệu Phong",
    "Công ty Điện lực Quảng Trị",
)
SCHOOLS = (
    "Trường Tiểu học Kim Đồng",
    "Trường THCS Nguyễn Trãi",
    "Trường THCS Trần Hưng Đạo",
    "Trường THPT Đông Hà",
    "Trường Tiểu học Lê Lợi",
    "Trường THCS Phan Đình Phùng",
)
#: Goods given and handed out in kind, each at a fixed unit value so values never go negative.
GOODS = (
    ("Sách giáo khoa lớp 6", "cuốn", 25_000),
    ("Vở học sinh", "quyển", 12_000),
    ("Gói quà Tết", "suất", 500_000),
    ("Xe đạp", "chiếc", 1_800_000),
    ("Tủ sách", "chiếc", 3_500_000),
)
TET_GIFT = 2
BOOKS = (0, 1, 4)
CATEGORIES = ("poor_household", "near_poor", "orphan", "ethnic_minority", "excellent_achievement")


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@dataclass(frozen=True)
class People:
    """Donor and beneficiary ids per association (the text journals need none: pass ``None``)."""

    donors: dict[str, list[int]]
    beneficiaries: dict[str, list[int]]


class _Books:
    """The generator's own running balances of one association: cash/bank per fund, goods per fund and item."""

    def __init__(self) -> None:
        self.money: dict[tuple[str, str], int] = {}
        self.goods: dict[tuple[str, int], int] = {}

    def cash(self, account: str, fund: str) -> int:
        return self.money.get((account, fund), 0)

    def add(self, account: str, fund: str, amount: int) -> None:
        self.money[(account, fund)] = self.money.get((account, fund), 0) + amount


def _round_amount(rng: random.Random, low: int, high: int, step: int = 50_000) -> int:
    return max(step, round(rng.randint(low, high) / step) * step)


class JournalGenerator:
    """Yields ``(association code, [EntryDraft, …])`` batches, in the order they are posted."""

    def __init__(self, people: People | None = None, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.people = people
        self.books = {code: _Books() for code, *_ in TREE}
        self.codes = [code for code, *_ in TREE]
        self.weights = [share for *_, share in TREE]

    # The same random draws with or without ids, so that the text journals match the databases.
    def _donor(self, assoc: str) -> int:
        index = self.rng.randrange(DONORS_PER_ASSOCIATION)
        return self.people.donors[assoc][index] if self.people is not None else index + 1

    def _beneficiary(self, assoc: str) -> int:
        index = self.rng.randrange(BENEFICIARIES_PER_ASSOCIATION)
        return self.people.beneficiaries[assoc][index] if self.people is not None else index + 1

    def batches(self, total: int, batch_size: int = BATCH_SIZE) -> Iterator[tuple[str, list[EntryDraft]]]:
        made = 0
        while made < total:
            size = min(batch_size, total - made)
            assoc = self.rng.choices(self.codes, self.weights)[0]
            day = FIRST_DAY + timedelta(days=made * DAYS // max(total, 1))
            yield assoc, [self._entry(assoc, day) for _ in range(size)]
            made += size

    # --- One entry -------------------------------------------------------------------------------

    def _entry(self, assoc: str, on: date) -> EntryDraft:
        r = self.rng.random()
        tet_season = on.month in (1, 2)
        if r < 0.28:
            return self._donation(assoc, on, self.rng.choice(("111", "112")))
        if r < 0.36:
            return self._in_kind(assoc, on)
        if r < 0.46:
            return self._split_donation(assoc, on)
        if r < 0.63:
            return self._scholarships(assoc, on)
        if r < 0.72:
            return self._tet_gift(assoc, on) if tet_season else self._support(assoc, on)
        if r < 0.80:
            return self._bookcase(assoc, on)
        if r < 0.86:
            return self._running_cost(assoc, on)
        if r < 0.92:
            return self._deposit(assoc, on)
        return self._interest(assoc, on)

    def _fund(self) -> str:
        return self.rng.choice(("GENERAL", "HPD", "HPD", "TET", "TUSACH", "HTDT"))

    def _donation(self, assoc: str, on: date, account: str, fund: str | None = None, amount: int = 0) -> EntryDraft:
        fund = fund or self._fund()
        amount = amount or _round_amount(self.rng, 100_000, 20_000_000)
        if self.rng.random() < 0.05:
            amount = _round_amount(self.rng, 50_000_000, 500_000_000, 1_000_000)
        donor = self._donor(assoc)
        self.books[assoc].add(account, fund, amount)
        who = self.rng.choice(COMPANIES) if self.rng.random() < 0.15 else person_name(self.rng)
        return EntryDraft(
            entry_on=on,
            memo=f"Tài trợ của {who} cho quỹ {fund}",
            kind="donation",
            lines=(
                LineDraft(account, fund, debit_vnd=amount, donor_id=donor),
                LineDraft("511", fund, credit_vnd=amount, donor_id=donor),
            ),
        )

    def _split_donation(self, assoc: str, on: date) -> EntryDraft:
        donor = self._donor(assoc)
        first, second = self.rng.sample(("HPD", "TET", "TUSACH", "HTDT"), 2)
        lines: list[LineDraft] = []
        for fund in (first, second):
            amount = _round_amount(self.rng, 500_000, 30_000_000)
            self.books[assoc].add("112", fund, amount)
            lines += [
                LineDraft("112", fund, debit_vnd=amount, donor_id=donor),
                LineDraft("511", fund, credit_vnd=amount, donor_id=donor),
            ]
        return EntryDraft(
            entry_on=on,
            memo=f"{self.rng.choice(COMPANIES)} tài trợ quỹ {first} và quỹ {second}",
            kind="donation",
            lines=tuple(lines),
        )

    def _in_kind(self, assoc: str, on: date) -> EntryDraft:
        fund = self.rng.choice(("TUSACH", "TET", "HTDT"))
        donor = self._donor(assoc)
        kinds = self.rng.sample(range(len(GOODS)), 1 if self.rng.random() < 0.7 else 2)
        lines: list[LineDraft] = []
        for index in kinds:
            item, unit, value = GOODS[index]
            quantity = self.rng.randint(5, 200) if value < 1_000_000 else self.rng.randint(1, 10)
            key = (fund, index)
            self.books[assoc].goods[key] = self.books[assoc].goods.get(key, 0) + quantity
            common = {"quantity": quantity, "unit": unit, "item": item, "donor_id": donor}
            lines += [
                LineDraft("156", fund, debit_vnd=quantity * value, **common),  # type: ignore[arg-type]
                LineDraft("512", fund, credit_vnd=quantity * value, **common),  # type: ignore[arg-type]
            ]
        return EntryDraft(entry_on=on, memo=f"Tài trợ hiện vật cho quỹ {fund}", kind="donation", lines=tuple(lines))

    def _pay(
        self, assoc: str, on: date, fund: str, expense: str, count: int, each: tuple[int, int], memo: str
    ) -> EntryDraft:
        """``count`` beneficiaries paid in one entry from cash or bank, or a donation if the fund is short."""
        amounts = [_round_amount(self.rng, *each, step=100_000) for _ in range(count)]
        total = sum(amounts)
        account = "111" if self.rng.random() < 0.6 else "112"
        books = self.books[assoc]
        if books.cash(account, fund) < total:
            return self._donation(assoc, on, account, fund, amount=max(total * 3, 5_000_000))
        books.add(account, fund, -total)
        lines = [LineDraft(expense, fund, debit_vnd=a, beneficiary_id=self._beneficiary(assoc)) for a in amounts]
        lines.append(LineDraft(account, fund, credit_vnd=total))
        return EntryDraft(entry_on=on, memo=memo, kind="disbursement", lines=tuple(lines))

    def _scholarships(self, assoc: str, on: date) -> EntryDraft:
        count = self.rng.choices((1, 2, 3, 4), (40, 25, 20, 15))[0]
        year = on.year if on.month >= 8 else on.year - 1
        return self._pay(
            assoc,
            on,
            "HPD",
            "611",
            count,
            (500_000, 3_000_000),
            f"Trao học bổng Hoa Phượng Đỏ năm học {year}–{year + 1}",
        )

    def _support(self, assoc: str, on: date) -> EntryDraft:
        count = self.rng.choices((1, 2, 3), (60, 25, 15))[0]
        return self._pay(
            assoc, on, "HTDT", "615", count, (300_000, 1_500_000), "Hỗ trợ học sinh có hoàn cảnh khó khăn đến trường"
        )

    def _goods_out(
        self, assoc: str, on: date, fund: str, index: int, quantity: int, expense: str, memo: str
    ) -> EntryDraft:
        books = self.books[assoc]
        key = (fund, index)
        if books.goods.get(key, 0) < quantity:
            item, unit, value = GOODS[index]
            books.goods[key] = books.goods.get(key, 0) + quantity * 4
            donor = self._donor(assoc)
            common = {"quantity": quantity * 4, "unit": unit, "item": item, "donor_id": donor}
            return EntryDraft(
                entry_on=on,
                memo=f"Tiếp nhận {quantity * 4} {unit} {item.lower()}",
                kind="donation",
                lines=(
                    LineDraft("156", fund, debit_vnd=quantity * 4 * value, **common),  # type: ignore[arg-type]
                    LineDraft("512", fund, credit_vnd=quantity * 4 * value, **common),  # type: ignore[arg-type]
                ),
            )
        books.goods[key] -= quantity
        item, unit, value = GOODS[index]
        return EntryDraft(
            entry_on=on,
            memo=memo,
            kind="disbursement",
            lines=(
                LineDraft(expense, fund, debit_vnd=quantity * value, beneficiary_id=self._beneficiary(assoc)),
                LineDraft("156", fund, credit_vnd=quantity * value, quantity=quantity, unit=unit, item=item),
            ),
        )

    def _tet_gift(self, assoc: str, on: date) -> EntryDraft:
        if self.rng.random() < 0.5:
            return self._pay(assoc, on, "TET", "612", 1, (300_000, 1_000_000), "Trao quà Tết bằng tiền mặt")
        return self._goods_out(
            assoc, on, "TET", TET_GIFT, self.rng.randint(1, 3), "612", "Trao quà Tết cho học sinh khó khăn"
        )

    def _bookcase(self, assoc: str, on: date) -> EntryDraft:
        index = self.rng.choice(BOOKS)
        quantity = 1 if index == 4 else self.rng.randint(10, 60)
        school = self.rng.choice(SCHOOLS)
        return self._goods_out(assoc, on, "TUSACH", index, quantity, "613", f"Trao tủ sách, sách cho {school}")

    def _running_cost(self, assoc: str, on: date) -> EntryDraft:
        amount = _round_amount(self.rng, 100_000, 2_000_000, 10_000)
        books = self.books[assoc]
        if books.cash("111", "GENERAL") < amount:
            return self._donation(assoc, on, "111", "GENERAL", amount=amount * 10)
        books.add("111", "GENERAL", -amount)
        memo = self.rng.choice(
            ("Chi văn phòng phẩm", "Chi in giấy khen", "Chi tổ chức lễ tuyên dương", "Chi nước uống")
        )
        return EntryDraft(
            entry_on=on,
            memo=memo,
            kind="general",
            lines=(LineDraft("642", "GENERAL", debit_vnd=amount), LineDraft("111", "GENERAL", credit_vnd=amount)),
        )

    def _deposit(self, assoc: str, on: date) -> EntryDraft:
        fund = self._fund()
        books = self.books[assoc]
        held = books.cash("111", fund)
        if held < 1_000_000:
            return self._donation(assoc, on, "111", fund)
        amount = held // 2 // 10_000 * 10_000
        books.add("111", fund, -amount)
        books.add("112", fund, amount)
        return EntryDraft(
            entry_on=on,
            memo="Nộp tiền mặt vào tài khoản ngân hàng",
            kind="transfer",
            lines=(LineDraft("112", fund, debit_vnd=amount), LineDraft("111", fund, credit_vnd=amount)),
        )

    def _interest(self, assoc: str, on: date) -> EntryDraft:
        amount = _round_amount(self.rng, 10_000, 900_000, 1_000)
        self.books[assoc].add("112", "GENERAL", amount)
        return EntryDraft(
            entry_on=on,
            memo=f"Lãi tiền gửi tháng {on.month}/{on.year}",
            kind="interest",
            lines=(LineDraft("112", "GENERAL", debit_vnd=amount), LineDraft("515", "GENERAL", credit_vnd=amount)),
        )
