"""A realistic spam campaign the shipped corpora lack: "crypto recovery" scam replies.

Deterministic for a seed. Spam poses as grateful victims vouching for a "recovery expert"
reachable on WhatsApp, Telegram, email or a website; ham is readers discussing the article
(some of them warning against exactly these scams, so words alone do not decide).
"""

import random
from collections.abc import Iterator

POST_ID = "crypto-exchange-collapse-leaves-savers-out-of-pocket"

FIRST = [
    "Linda",
    "Margaret",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Susan",
    "William",
    "Karen",
    "David",
    "Nancy",
    "Richard",
    "Lisa",
    "Joseph",
    "Sandra",
    "Thomas",
    "Ashley",
    "Daniel",
    "Donna",
    "Paul",
    "Carol",
    "Mark",
    "Michelle",
    "George",
    "Emily",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Edward",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Aigerim",
    "Yerlan",
    "Olga",
    "Sergei",
    "Priya",
    "Rahul",
    "Fatima",
    "Ahmed",
    "Chen",
    "Wei",
    "Maria",
    "Jose",
    "Lucas",
    "Ana",
    "Henrik",
    "Ingrid",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Nurlanovna",
    "Petrova",
    "Ivanov",
    "Sharma",
    "Patel",
    "Hassan",
    "Khan",
    "Zhang",
    "Silva",
    "Santos",
    "Larsen",
    "Berg",
]
EXPERTS = [
    "Mr. Gary Lancaster",
    "Agent Rachel Moore",
    "Dr. Kevin Hacks",
    "Recovery Expert Sarah Cole",
    "Mrs. Helen Gomez",
    "Ethan Brooks of CyberTrace",
    "Captain Leo Fund Recovery",
    "Mr. Adrian Wolfe",
    "Jenny Walsh, a certified asset tracer",
    "Marcus Reed (blockchain forensics)",
]
DOMAINS = [
    "cyber-trace-recovery.com",
    "swiftfundsretrieval.net",
    "chainrecoverypros.org",
    "assetreclaimhub.co",
    "globalcoinrecovery.info",
    "recoverycybergeeks.net",
    "bitfundtracers.com",
    "hackrecover-pro.org",
    "digitalassetrescue.co",
    "trustretrieve.net",
]
MAIL = ["gmail.com", "protonmail.com", "outlook.com", "yahoo.com", "mail.com"]
COINS = ("BTC", "USDT", "ETH", "bitcoin", "crypto", "savings", "pension money")
PLATFORMS = (
    "a fake trading platform",
    "an investment site a 'broker' on Instagram sent me",
    "a romance scammer",
    "that exchange",
    "a mining pool scheme",
    "an online broker that froze my account",
    "a Telegram signals group",
)
OPENERS = (
    "I lost {amount} {coin} to {platform} and thought it was gone forever.",
    "Same happened to me, {amount} in {coin} vanished after {platform} shut down.",
    "After losing {amount} to {platform} I was devastated.",
    "My husband and I lost {amount} worth of {coin} through {platform}.",
    "I was scammed of {amount} by {platform} last year.",
    "Don't give up hope! I lost {amount} {coin} to {platform} too.",
)
MIDDLES = (
    "Luckily I came across {expert} who helped me recover everything within {days} days.",
    "A friend referred me to {expert} and all my funds were retrieved in {days} days.",
    "{expert} traced the wallet and got my {coin} back, no upfront fees.",
    "Thanks to {expert} I got back every cent, it took just {days} days.",
    "I contacted {expert} and my {coin} was recovered, I'm still in shock.",
    "{expert} is the real deal, they recovered my {coin} when the police couldn't.",
)
CONTACTS = (
    "Reach them on WhatsApp {phone}",
    "Contact via Telegram @{handle}",
    "Email {mailbox}",
    "Visit {url}",
    "WhatsApp: {phone} or email {mailbox}",
    "Telegram: @{handle} / {url}",
    "Write to {mailbox} and mention my name",
)
CLOSERS = (
    "",
    " They are legit and fast.",
    " God bless.",
    " You can thank me later.",
    " Don't waste time with the police.",
    " Tell them {name} referred you.",
    " 100% legit!!",
)

HAM = (
    "I had {amount} on that exchange. The administrators say creditors may get {pct}% back, "
    "in about {years} years.",
    "Why did the regulator let them advertise on the {team} shirts for two seasons?",
    "Beware of anyone in these comments promising to recover your funds. Recovery services "
    "that contact you first are scams; go through the official administrator.",
    "The article should say more about how customer deposits were mixed with the trading "
    "arm's money. That is the real scandal.",
    "My brother lost his savings. He is {age} and will have to keep working.",
    "Not your keys, not your coins. I moved everything to a hardware wallet in {year}.",
    "Good reporting. Would be useful to know which banks processed the transfers.",
    "Can anyone confirm whether the claims portal is open yet? The email I got looked fake.",
    "The founder should face the same charges as any bank executive would.",
    "I'm not defending them, but anyone promised {pct}% returns a month should have asked "
    "questions.",
    "Lost {amount}. Filed a claim with the administrator on day one, still waiting.",
    "Reported two 'recovery agent' replies under this article. Moderators, please remove them.",
    "This is the third exchange to collapse since {year}. When will there be real rules?",
    "Interesting that the auditors signed off on their reserves in {month}.",
    "The police told me to report it to Action Fraud and wait. Nothing since.",
    "My daughter works in compliance and says this was obvious from the outside.",
    "Thank you {writer} for following this story for so long.",
    "Is there any list of who owns the company now? The filing names a firm in {country}.",
)
TEAMS = ("United", "City", "Rovers", "Athletic")
COUNTRIES = ("Cyprus", "the Seychelles", "Malta", "the BVI", "Delaware")
MONTHS = ("March", "June", "September", "December")
WRITERS = ("Anna", "Mr Okafor", "Ms Lindqvist", "the author")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _email(rng: random.Random, name: str) -> str:
    local = name.lower().replace(" ", rng.choice((".", "_", "")))
    return f"{local}{rng.choice(('', str(rng.randint(1, 99))))}@{rng.choice(MAIL)}"


def _amount(rng: random.Random) -> str:
    return rng.choice(("${:,}", "£{:,}", "€{:,}", "{:,} dollars")).format(
        rng.randrange(5, 400) * 1000
    )


def spam(rng: random.Random) -> dict:
    """Return one campaign comment: a fake victim vouching for a fake recovery expert."""
    name = _name(rng)
    expert = rng.choice(EXPERTS)
    handle = expert.split()[-1].strip("()").lower() + rng.choice(("_recovery", "hacks", "01", ""))
    domain = rng.choice(DOMAINS)
    fill = {
        "amount": _amount(rng),
        "coin": rng.choice(COINS),
        "platform": rng.choice(PLATFORMS),
        "expert": expert,
        "days": rng.randint(2, 21),
        "phone": f"+1 ({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        "handle": handle,
        "mailbox": f"{handle}@{rng.choice(MAIL)}",
        "url": rng.choice(("https://", "http://", "www.", "")) + domain,
        "name": name.split()[0],
    }
    parts = [rng.choice(OPENERS), rng.choice(MIDDLES), rng.choice(CONTACTS), rng.choice(CLOSERS)]
    content = " ".join(part.format(**fill) for part in parts[:3]) + parts[3].format(**fill)
    return {
        "content": content,
        "author_name": name,
        "author_email": _email(rng, name),
        "author_url": f"https://{domain}" if rng.random() < 0.3 else None,
        "post_id": POST_ID,
    }


def ham(rng: random.Random) -> dict:
    """Return one reader's comment on the article."""
    name = _name(rng)
    content = rng.choice(HAM).format(
        amount=_amount(rng),
        pct=rng.choice((5, 10, 20, 30, 40)),
        years=rng.randint(2, 8),
        team=rng.choice(TEAMS),
        age=rng.randint(55, 78),
        year=rng.randint(2017, 2024),
        month=rng.choice(MONTHS),
        writer=rng.choice(WRITERS),
        country=rng.choice(COUNTRIES),
    )
    return {
        "content": content,
        "author_name": name,
        "author_email": _email(rng, name),
        "author_url": None,
        "post_id": POST_ID,
    }


def comments(count: int, spam_share: float = 0.5, seed: int = 0) -> Iterator[dict]:
    """Yield count comments in posting order, each with "label" spam or ham."""
    rng = random.Random(seed)
    for _ in range(count):
        is_spam = rng.random() < spam_share
        record = spam(rng) if is_spam else ham(rng)
        yield {**record, "label": "spam" if is_spam else "ham"}
