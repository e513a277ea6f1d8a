"""A newsroom's comment history, as `flask --app wsgi import csv` reads it.

`python -m research.site_history` writes research/data/site_history.csv: a regional news
site's past comments in English, Russian and Kyrgyz, each with the date it was posted and
what the site's moderators decided (`status`: approved, rejected, spam, or pending when
nobody did). Readers discuss twenty articles; spam is the background every site gets (SEO
pitches, casino and betting, pharma, loans, escorts) and, from early 2026, a campaign the
shipped corpora lack: "account manager" investment testimonials with WhatsApp and Telegram
contacts, in English and Russian.

Deterministic for a seed. Every pool of wording is split in two (`HISTORY`, `FRESH`): the
history file uses one half, and `research.import_curve` tests on the other, so a model is
measured on the campaign's and the readers' fresh wording, not on sentences it learnt. None
of it is drawn from research/data/probe_news.csv, which stays a test of generalisation.
"""

import argparse
import csv
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from model.corpora import PROJECT_COLUMNS
from research import site_words as words

HISTORY, FRESH = 0, 1
COUNT = 1600
COLUMNS = (*PROJECT_COLUMNS, "created_at", "status")
OUT = Path(__file__).resolve().parent / "data" / "site_history.csv"
START = datetime(2024, 1, 8, tzinfo=UTC)
END = datetime(2026, 10, 30, tzinfo=UTC)
# Where in the history (0: START, 1: END) the campaign starts, and its share at the end.
CAMPAIGN_FROM, CAMPAIGN_PEAK = 0.7, 0.45
BACKGROUND_SPAM = 0.14
READER_STATUS = (("approved", 0.92), ("rejected", 0.05), ("pending", 0.03))
SPAM_PENDING = 0.03


def _half(pool: Sequence, wording: int) -> Sequence:
    """Return the half of a pool one wording uses: even items for HISTORY, odd for FRESH."""
    return pool[wording::2]


def _pick(rng: random.Random, pool: Sequence, wording: int):
    """Pick from a wording's half of a pool."""
    return rng.choice(_half(pool, wording))


_CYRILLIC = dict(
    zip("абвгдезийклмнопрстуфыэөүң", "abvgdeziiklmnoprstufyeoun", strict=True),
    ё="yo",
    ж="zh",
    х="kh",
    ц="ts",
    ч="ch",
    ш="sh",
    щ="sch",
    ю="yu",
    я="ya",
    ь="",
    ъ="",
)


def _latin(name: str) -> str:
    """A Latin spelling of a name, for an email's local part or a handle."""
    return name.lower().translate(str.maketrans(_CYRILLIC))


def _reader_author(rng: random.Random, language: str, wording: int) -> dict:
    """A reader's name, email and (rarely) website, in the habits of their language."""
    if language == "en":
        first, last = _pick(rng, words.FIRST_EN, wording), _pick(rng, words.LAST_EN, wording)
    else:
        first = _pick(rng, words.FIRST_RU if language == "ru" else words.FIRST_KY, wording)
        last = _pick(rng, words.LAST_CYRILLIC, wording)
    email = _address(rng, first, last, words.READER_MAIL["en" if language == "en" else "ru"])
    # A few readers give a website: their channel, not a pitch.
    website = f"https://t.me/{_latin(first)}_{_latin(last)}" if rng.random() < 0.04 else None
    name = first if rng.random() < 0.4 else f"{first} {last[0]}."
    return {"author_name": name, "author_email": email, "author_url": website}


def _address(rng: random.Random, first: str, last: str, hosts: Sequence[str]) -> str:
    """An email address made of a person's name, as readers and most spammers alike use.

    Digits (a birth year, a count) in a third of them, whoever writes: a generator whose
    spam alone carried digits would teach a model that shortcut instead of the spam.
    """
    local = f"{_latin(first)}{rng.choice(('.', '_', ''))}{_latin(last)}"
    if rng.random() < 0.3:
        local += str(rng.randint(70, 2005))
    return f"{local}@{rng.choice(hosts)}"


def _fill(rng: random.Random, article: tuple, wording: int) -> dict:
    """Slot values for a reader's templates about one article."""
    town_en, town_ru, town_ky = _pick(rng, words.TOWNS, wording)
    month_en, month_ru = rng.choice(words.MONTHS)
    offshore_en, offshore_ru = rng.choice(words.OFFSHORE)
    _, subject, subject_ru, subject_ky = article
    return {
        "subject": subject,
        "subject_cap": subject[0].upper() + subject[1:],
        "subject_ru": subject_ru,
        "subject_ky": subject_ky[0].upper() + subject_ky[1:],
        "town": town_en,
        "town_ru": town_ru,
        "town_ky": town_ky,
        "month": month_en,
        "month_ru": month_ru,
        "offshore": offshore_en,
        "offshore_ru": offshore_ru,
        "year": rng.randint(2009, 2022),
        "years": rng.randint(2, 12),
        "weeks": rng.randint(3, 14),
        "hours": rng.randint(5, 30),
        "pct": rng.choice((5, 8, 10, 12, 15, 20, 30)),
        "aqi": rng.randrange(180, 420, 10),
        "km": rng.randint(3, 25),
        "n": rng.randint(12, 480),
        "route": rng.randint(1, 60),
        "source": rng.choice(words.SOURCES),
    }


def _english(rng: random.Random, slug: str, wording: int) -> str:
    """An English reader's template: a short reaction, or a body with an opener or closer."""
    if rng.random() < 0.12:
        return _pick(rng, words.EN_SHORT, wording)
    topical = rng.random() < 0.35
    body = words.TOPICAL[slug][wording] if topical else _pick(rng, words.EN_BODY, wording)
    parts = [body]
    if rng.random() < 0.3:
        parts.insert(0, _pick(rng, words.EN_OPEN, wording))
    if rng.random() < 0.25:
        parts.append(_pick(rng, words.EN_CLOSE, wording))
    if rng.random() < 0.08:
        parts.append(_pick(rng, words.EN_SOURCE, wording))
    return " ".join(parts)


def _template(rng: random.Random, language: str, slug: str, wording: int, rude: bool) -> str:
    """A reader's template in a language; rude ones are what moderators trash."""
    if rude:
        return _pick(rng, words.RU_RUDE if language == "ru" else words.EN_RUDE, wording)
    if language == "en":
        return _english(rng, slug, wording)
    if rng.random() < 0.15:
        return _pick(rng, words.RU_SHORT if language == "ru" else words.KY_SHORT, wording)
    if language == "ru" and rng.random() < 0.35:
        return words.TOPICAL[slug][2 + wording]
    return _pick(rng, words.RU_BODY if language == "ru" else words.KY_BODY, wording)


def reader(rng: random.Random, wording: int = HISTORY, rude: bool = False) -> dict:
    """Return one reader's comment on one of the site's articles."""
    article = rng.choice(words.ARTICLES)
    language = rng.choices(("en", "ru", "ky"), weights=(0.55, 0.33, 0.12))[0]
    template = _template(rng, language, article[0], wording, rude)
    content = template.format(**_fill(rng, article, wording))
    return {"content": content, **_reader_author(rng, language, wording), "post_id": article[0]}


def _phone(rng: random.Random) -> str:
    """A phone number in the formats spam uses."""
    return rng.choice(
        (
            f"+1 ({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            f"+996 {rng.choice((555, 700, 772, 999))} {rng.randint(100000, 999999)}",
            f"+7 7{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(1000000, 9999999)}",
        )
    )


def _money(rng: random.Random, low: int, high: int) -> str:
    """An amount of dollars, written as spam writes it."""
    value = rng.randrange(low, high, 50)
    return rng.choice(("${:,}", "{:,} USD", "{:,} dollars", "${:,}.00")).format(value)


def _campaign_fill(rng: random.Random, manager: str) -> dict:
    """Slot values of one campaign comment: amounts, days and the manager's contacts."""
    handle = _latin(manager.split()[-1]) + rng.choice(("_invest", "fx", "_trade", "official"))
    return {
        "manager": manager,
        "start": _money(rng, 200, 3000),
        "profit": _money(rng, 2500, 30000),
        "start_ru": f"{rng.randrange(10, 300, 5)} тысяч",
        "profit_ru": f"{rng.randrange(100, 900, 10)} тысяч",
        "days": rng.randint(5, 30),
        "phone": _phone(rng),
        "handle": handle,
        "mailbox": f"{handle}@{rng.choice(words.CAMPAIGN_MAIL)}",
    }


def campaign(rng: random.Random, wording: int = HISTORY) -> dict:
    """Return one campaign comment: a fake investor vouching for an "account manager"."""
    russian = rng.random() < 0.3
    managers = words.CAMPAIGN_MANAGERS_RU if russian else words.CAMPAIGN_MANAGERS
    fill = _campaign_fill(rng, _pick(rng, managers, wording))
    opener, middle, contact, closer = (
        _pick(rng, pool, wording) for pool in (words.CAMPAIGN_RU if russian else words.CAMPAIGN_EN)
    )
    content = f"{opener} {middle} {contact}{closer}".format(**fill)
    first, last = _pick(rng, words.FIRST_EN, wording), _pick(rng, words.LAST_EN, wording)
    return {
        "content": content,
        "author_name": f"{first} {last}",
        "author_email": _address(rng, first, last, words.CAMPAIGN_MAIL),
        "author_url": None,
        "post_id": rng.choice(words.ARTICLES)[0],
    }


def _seo(rng: random.Random, wording: int) -> dict:
    """An SEO pitch: flattery, a keyword author name and the business's site."""
    service, city = rng.choice(words.SEO_SERVICES), rng.choice(words.SEO_CITIES)
    site = f"https://www.{service}{city}.com".lower().replace(" ", "")
    text = _pick(rng, words.SEO_TEXT, wording) + _pick(rng, words.SEO_LINK, wording)
    content = text.format(url=site, service=service, city=city)
    return {"content": content, "author_name": f"{service} {city}", "author_url": site}


def _promotion(rng: random.Random, kind: str, wording: int) -> dict:
    """A casino, pharma, loan or escort pitch with its site, phone or handle."""
    pools = {"casino": words.CASINO, "pharma": words.PHARMA, "loan": words.LOANS}
    content = _pick(rng, pools.get(kind, words.ESCORT), wording).format(
        url=f"https://{_pick(rng, words.SPAM_DOMAINS[kind], wording)}",
        bonus=rng.choice((100, 150, 200, 250, 300)),
        amount=rng.choice((500, 1000, 2000, 5000)),
        drug=rng.choice(words.DRUGS),
        phone=_phone(rng),
        handle=f"zaim{rng.randint(10, 99)}_kg",
    )
    name = rng.choice(("Admin", "Promo", "Info", "Bonus", "VIP", "Анна", "Кредит"))
    return {"content": content, "author_name": name, "author_url": None}


def background_spam(rng: random.Random, wording: int = HISTORY) -> dict:
    """Return one comment of the spam every site gets: SEO, casino, pharma, loans, escorts."""
    kind = rng.choices(("seo", "casino", "pharma", "loan", "escort"), (4, 3, 1.5, 1.5, 1))[0]
    record = _seo(rng, wording) if kind == "seo" else _promotion(rng, kind, wording)
    if rng.random() < 0.5:
        # Half are throwaway accounts: a word and a number.
        hosts = ("gmail.com", "mail.ru", "yandex.ru", "outlook.com")
        email = f"{rng.choice((kind, 'info', 'best', 'top'))}{rng.randint(100, 99999)}@"
        email += rng.choice(hosts)
    else:
        first, last = _pick(rng, words.FIRST_EN, wording), _pick(rng, words.LAST_EN, wording)
        email = _address(rng, first, last, words.READER_MAIL["en"])
    return {**record, "author_email": email, "post_id": rng.choice(words.ARTICLES)[0]}


def _status(rng: random.Random, is_spam: bool) -> str:
    """What the site's moderators decided: spam, or approved/rejected/pending for a reader."""
    if is_spam:
        return "pending" if rng.random() < SPAM_PENDING else "spam"
    statuses, weights = zip(*READER_STATUS, strict=True)
    return rng.choices(statuses, weights)[0]


def _times(rng: random.Random, count: int) -> list[datetime]:
    """Posting times spread over the history, oldest first, to the second."""
    span = int((END - START).total_seconds())
    return sorted(START + timedelta(seconds=rng.randrange(span)) for _ in range(count))


def _kind(rng: random.Random, where: float) -> str:
    """Which kind of comment arrives at a point of the history (0: START, 1: END)."""
    share = CAMPAIGN_PEAK * max(0.0, (where - CAMPAIGN_FROM) / (1 - CAMPAIGN_FROM))
    roll = rng.random()
    return "campaign" if roll < share else "spam" if roll < share + BACKGROUND_SPAM else "reader"


def history(count: int, seed: int = 0) -> Iterator[dict]:
    """Yield the site's past comments oldest first, with created_at, status and label."""
    rng = random.Random(seed)
    for when in _times(rng, count):
        kind = _kind(rng, (when - START) / (END - START))
        status = _status(rng, kind != "reader")
        if kind == "campaign":
            record = campaign(rng)
        elif kind == "spam":
            record = background_spam(rng)
        else:
            # Most comments moderators trash are abuse; the rest are off-topic or repeats.
            record = reader(rng, rude=status == "rejected" and rng.random() < 0.7)
        yield {
            **record,
            "label": "ham" if kind == "reader" else "spam",
            "created_at": when.isoformat(),
            "status": status,
        }


def campaign_and_readers(
    count: int, seed: int, wording: int = HISTORY, spam_share: float = 0.4
) -> Iterator[dict]:
    """Yield the campaign's comments mixed with readers', each with a label."""
    rng = random.Random(seed)
    for _ in range(count):
        is_spam = rng.random() < spam_share
        record = campaign(rng, wording) if is_spam else reader(rng, wording)
        yield {**record, "label": "spam" if is_spam else "ham"}


def write(rows: Iterator[dict], out: Path) -> int:
    """Write rows in the project's CSV with created_at and status; return how many."""
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name) or "" for name in COLUMNS})
            written += 1
    return written


def main(argv=None) -> int:
    """Write the site history CSV."""
    parser = argparse.ArgumentParser(prog="python -m research.site_history", description=__doc__)
    parser.add_argument("--count", type=int, default=COUNT, help=f"comments (default {COUNT})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    args = parser.parse_args(argv)
    written = write(history(args.count, args.seed), args.out)
    print(f"wrote {written} comments to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
