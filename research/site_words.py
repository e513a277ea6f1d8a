# The comments are in Russian and Kyrgyz: Cyrillic letters that look Latin are meant.
# ruff: noqa: RUF001
"""The wording of the site history (research/site_history.py): articles, readers, spam.

Every pool is split in two by research.site_history (even items for the history file, odd
items for the fresh wording a learning curve tests on), so each pool holds an even number of
interchangeable items. Names, addresses and sites are made up; readers' sources are real.
"""

# slug, then the article's subject in English, Russian and Kyrgyz.
ARTICLES = (
    ("bishkek-smog-reaches-record-levels", "the smog", "смог", "абанын булганышы"),
    ("parliament-passes-media-law", "the media law", "закон о СМИ", "ЖМК жөнүндө мыйзам"),
    ("som-falls-against-the-dollar", "the exchange rate", "курс сома", "сомдун курсу"),
    (
        "new-hospital-wing-opens-a-year-late",
        "the new hospital wing",
        "новый корпус больницы",
        "оорукананын жаңы корпусу",
    ),
    (
        "teachers-strike-over-unpaid-wages",
        "teachers' pay",
        "зарплаты учителей",
        "мугалимдердин айлыгы",
    ),
    ("court-acquits-police-officers", "the verdict", "приговор", "соттун чечими"),
    (
        "airport-expansion-contract-signed",
        "the airport contract",
        "контракт по аэропорту",
        "аэропорт боюнча келишим",
    ),
    ("wrestler-wins-world-championship-gold", "the championship", "чемпионат", "чемпионат"),
    ("film-festival-opens-in-karakol", "the festival", "фестиваль", "фестиваль"),
    ("glaciers-shrinking-faster-than-forecast", "the glaciers", "ледники", "мөңгүлөр"),
    ("road-to-naryn-reopens-after-landslide", "the Naryn road", "дорога на Нарын", "Нарын жолу"),
    ("fuel-prices-up-for-third-month", "fuel prices", "цены на бензин", "күйүүчү майдын баасы"),
    ("mayor-resigns-after-audit", "the audit", "проверка", "текшерүү"),
    (
        "border-agreement-ratified",
        "the border agreement",
        "соглашение о границе",
        "чек ара келишими",
    ),
    ("earthquake-drill-in-city-schools", "the earthquake drill", "учения", "машыгуу"),
    ("gold-mine-revenue-report", "the mine's revenue", "доходы рудника", "кендин кирешеси"),
    ("new-bus-fleet-arrives", "the new buses", "новые автобусы", "жаңы автобустар"),
    (
        "illegal-crypto-mining-blamed-for-outages",
        "illegal crypto mining",
        "незаконный майнинг",
        "мыйзамсыз майнинг",
    ),
    (
        "deposit-insurance-limit-raised",
        "deposit insurance",
        "страхование вкладов",
        "аманаттарды камсыздандыруу",
    ),
    ("investment-fraud-ring-arrested", "the fraud ring", "мошенники", "алдамчылар"),
)

FIRST_EN = (
    "Alan",
    "Beth",
    "Colin",
    "Diane",
    "Edward",
    "Fiona",
    "Gavin",
    "Hannah",
    "Ian",
    "Joanne",
    "Keith",
    "Laura",
    "Martin",
    "Nora",
    "Owen",
    "Paula",
    "Rob",
    "Sally",
    "Trevor",
    "Vicky",
    "Will",
    "Yvonne",
    "Adam",
    "Grace",
)
LAST_EN = (
    "Ashby",
    "Baker",
    "Carter",
    "Dawson",
    "Ellis",
    "Foster",
    "Gibson",
    "Hughes",
    "Irving",
    "Jenkins",
    "Knight",
    "Lowe",
    "Marsh",
    "Norris",
    "Owens",
    "Pearce",
)
FIRST_RU = (
    "Алексей",
    "Анна",
    "Борис",
    "Вера",
    "Геннадий",
    "Дарья",
    "Евгений",
    "Жанна",
    "Игорь",
    "Ксения",
    "Леонид",
    "Мария",
    "Николай",
    "Оксана",
    "Павел",
    "Раиса",
)
FIRST_KY = (
    "Айбек",
    "Айпери",
    "Бекболот",
    "Гүлзат",
    "Жаныбек",
    "Зарина",
    "Канат",
    "Мээрим",
    "Нурбек",
    "Чолпон",
    "Талант",
    "Элнура",
    "Улан",
    "Асель",
    "Эрмек",
    "Динара",
)
LAST_CYRILLIC = (
    "Асанов",
    "Бекова",
    "Джумаев",
    "Исакова",
    "Касымов",
    "Мамытова",
    "Осмонов",
    "Сыдыкова",
    "Токтогулов",
    "Усенова",
    "Жакыпов",
    "Абдырова",
)
READER_MAIL = {
    "en": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"),
    "ru": ("mail.ru", "gmail.com", "yandex.ru", "inbox.ru", "list.ru", "bk.ru"),
}

EN_OPEN = (
    "Good reporting.",
    "I have to disagree with this one.",
    "Not surprised at all.",
    "Long-time reader here.",
    "Honestly?",
    "This needs saying:",
    "Thanks for the follow-up.",
    "Let me add some context.",
    "Sad to read this.",
    "Finally.",
)
EN_BODY = (
    "{subject_cap} has been a problem for years and nobody ever takes responsibility.",
    "I'd like to see the actual documents behind {subject}, not just officials' quotes.",
    "My family has been affected by {subject} directly, so thank you for taking it seriously.",
    "The numbers in the fourth paragraph don't match the ministry's own report from {month}.",
    "Who exactly benefits from {subject}? Follow the money.",
    "People in {town} have been saying this since {year} and nobody listened.",
    "Could you do a follow-up in a few months to see whether anything changed?",
    "It would help to compare {subject} with what Kazakhstan and Uzbekistan did.",
    "The government promised to fix {subject} before the last election. Remember that.",
    "I work in this field and the article gets the basics right, which is rare.",
    "Interesting that no opposition deputy was asked for comment on {subject}.",
    "We talked about {subject} at work today and nobody had heard the whole story. Good job.",
    "My neighbour in {town} told me the same, I thought she was exaggerating.",
    "One thing missing: how much will {subject} cost ordinary families per month?",
    "Pretty one-sided piece. There are people who support this, you know.",
    "This is the kind of journalism we pay our subscription for.",
    "I emailed my deputy about {subject} in {month}. Still waiting for an answer.",
    "Does anyone know if there will be a public hearing on {subject}?",
    "The photo caption says {town}, but that building is in the capital.",
    "Whatever one thinks of {subject}, the way it was decided behind closed doors is wrong.",
    "Anyone in these comments promising weekly profits is part of a scheme. Report them.",
    "My aunt lost her savings to an online 'broker' last year. Please write about that too.",
)
EN_CLOSE = (
    "Keep at it.",
    "Thanks.",
    "Shame on them.",
    "Just my two cents.",
    "Please keep digging.",
    "We deserve better.",
    "Regards from {town}.",
    "Good luck to everyone involved.",
)
EN_SHORT = (
    "Thanks for this.",
    "Well put.",
    "Spot on.",
    "Agreed, 100%.",
    "Important story.",
    "Sad but true.",
    "Thank you for the update.",
    "Very good read.",
    "Couldn't agree more.",
    "Excellent reporting as always.",
)
EN_SOURCE = (
    "The full report is here: {source}",
    "Original document: {source}",
    "For background, see {source}",
    "The official statement is on {source}",
)
SOURCES = (
    "https://en.wikipedia.org/wiki/Kyrgyzstan",
    "https://www.gov.kg",
    "https://www.nbkr.kg",
    "https://www.stat.gov.kg/en/",
    "https://www.unicef.org/kyrgyzstan",
    "https://www.adb.org/countries/kyrgyz-republic",
    "https://www.iqair.com/kyrgyzstan",
    "https://www.osce.org/programme-office-in-bishkek",
)
EN_RUDE = (
    "You people are paid to write this garbage.",
    "What a pathetic article. Fire the editor.",
    "Idiots, all of you, the journalists and the officials.",
    "Nobody reads this rag anyway.",
)
RU_BODY = (
    "Про {subject_ru} говорят уже который год, а толку ноль.",
    "Хорошая статья, но хотелось бы услышать мнение независимых экспертов.",
    "У нас в {town_ru} то же самое, никто ничего не делает.",
    "А кто-нибудь посчитал, сколько это стоит обычной семье?",
    "Спасибо редакции, что не боитесь писать о таких вещах.",
    "В статье неточность: решение приняли в {month_ru}, а не позже.",
    "Опять всё решили за закрытыми дверями. Где общественные слушания?",
    "Интересно, кто получил этот контракт и чей он родственник.",
    "Мой отец всю жизнь проработал в этой сфере, он говорит, что так было всегда.",
    "Напишите, пожалуйста, продолжение через пару месяцев.",
    "Не согласен с автором. Есть и положительные стороны, о них ни слова.",
    "Когда уже за {subject_ru} кто-то ответит?",
    "Читаю вас с {year} года, лучшее издание в стране.",
    "Жаль, что в статье нет цифр за прошлый год для сравнения.",
    "Депутаты обещали разобраться ещё весной. Разобрались?",
    "Очень важная тема, спасибо.",
    "Не ведитесь на комментарии про «доход каждую неделю» - это те же мошенники.",
    "Соседка вложила пенсию в онлайн-брокера, теперь ни денег, ни брокера.",
)
RU_SHORT = (
    "Спасибо!",
    "Всё верно написано.",
    "Согласна полностью.",
    "Позор.",
    "Хороший материал.",
    "Грустно, но правда.",
)
RU_RUDE = ("Продажные журналисты, кто вам платит?", "Бред какой-то, автор идиот.")
KY_BODY = (
    "{subject_ky} боюнча көп жылдан бери айтылып келет, бирок эч нерсе өзгөргөн жок.",
    "Макала үчүн рахмат, уланды жазып туруңуздар.",
    "Биздин {town_ky} да ушундай эле абал.",
    "Эмне үчүн бул тууралуу депутаттар унчукпай жатат?",
    "Жакшы макала, бирок эксперттердин пикири да керек эле.",
    "Кадимки үй-бүлөгө бул канчага турат, ким эсептеди?",
    "Азаттык, бул темадан калбагыла.",
    "Өкмөт качан жооп берет?",
)
KY_SHORT = ("Рахмат!", "Туура айтасыз.", "Уят.", "Маанилүү тема.")
TOWNS = (
    ("Osh", "Оше", "Ошто"),
    ("Karakol", "Караколе", "Караколдо"),
    ("Naryn", "Нарыне", "Нарында"),
    ("Talas", "Таласе", "Таласта"),
    ("Jalal-Abad", "Джалал-Абаде", "Жалал-Абадда"),
    ("Tokmok", "Токмоке", "Токмокто"),
    ("Kant", "Канте", "Кантта"),
    ("Balykchy", "Балыкчы", "Балыкчыда"),
)
OFFSHORE = (
    ("Cyprus", "Кипра"),
    ("the Seychelles", "Сейшел"),
    ("the BVI", "Британских Виргинских островов"),
    ("Dubai", "Дубая"),
)
MONTHS = (("March", "марте"), ("May", "мае"), ("August", "августе"), ("October", "октябре"))

SEO_SERVICES = (
    "Roof Repair",
    "Garage Door Repair",
    "Pest Control",
    "Tree Removal",
    "Dumpster Rental",
    "Carpet Cleaning",
    "Mold Removal",
    "HVAC Repair",
    "Junk Removal",
    "Window Tinting",
    "Pool Cleaning",
    "Limo Service",
)
SEO_CITIES = (
    "Houston",
    "Denver",
    "Tampa",
    "San Diego",
    "Orlando",
    "Austin",
    "Sacramento",
    "Phoenix",
    "Las Vegas",
    "Atlanta",
)
SEO_TEXT = (
    "Excellent post. I was checking constantly this blog and I am impressed!",
    "Hey very nice website!! Man .. Beautiful .. Amazing .. I will bookmark your site.",
    "I do agree with all the ideas you have presented in your post. They are really convincing.",
    "Pretty section of content. I just stumbled upon your site and wanted to say I have "
    "really enjoyed browsing your posts.",
    "Appreciating the time and energy you put into your website and detailed information you "
    "present.",
    "Hello! This post could not be written any better! Reading this post reminds me of my old "
    "room mate. I will forward this write-up to him.",
    "Wonderful beat! I wish to apprentice while you amend your web site.",
    "I blog frequently and I genuinely appreciate your content. This great article has truly "
    "peaked my interest.",
    "What's up, just wanted to mention, I liked this blog post. It was inspiring. Keep on posting!",
    "Definitely believe that which you stated. Your favorite reason seemed to be on the net "
    "the easiest thing to be aware of.",
)
SEO_LINK = ("", " {url}", " Visit us: {url}", ' <a href="{url}">{service} {city}</a>')
CASINO = (
    "Лучшие игровые автоматы онлайн, бонус {bonus}% на первый депозит! {url}",
    "Ставки на спорт с лучшими коэффициентами, фрибет {amount} сом новым клиентам: {url}",
    "Казино с мгновенным выводом на карту. Регистрируйся по ссылке {url} и получи фриспины",
    "Онлайн оюндар, биринчи депозитке {bonus}% бонус! Катталыңыз: {url}",
    "Играй в слоты без вложений, промокод WIN{bonus} даёт бонус! {url}",
    "Спорттук ставкалар, эң жогорку коэффициенттер! {url}",
)
PHARMA = (
    "Generic viagra and cialis at the lowest prices, no prescription needed. {url}",
    "buy {drug} online overnight shipping {url}",
    "Препараты без рецепта с доставкой, анонимно. Сайт {url}",
    "Order {drug} online, discreet delivery worldwide, {bonus}% off today {url}",
)
DRUGS = ("tramadol", "modafinil", "xanax", "ambien", "phentermine", "oxycodone")
LOANS = (
    "Деньги в долг за 15 минут без справок! Звоните {phone}",
    "Быстрый займ на карту, одобрение {bonus}%, пишите в WhatsApp {phone}",
    "Насыя 10 мүнөттө, күрөөсүз! WhatsApp {phone}",
    "Кредит без отказа даже с плохой кредитной историей. Телеграм @{handle}",
    "Займы онлайн на карту за 5 минут, первый займ под 0%: {url}",
    "Онлайн насыя картага, паспорт менен гана: {url}",
)
ESCORT = (
    "Девушки на час, выезд по городу 24/7. Фото и цены: {url}",
    "Sexy singles near you are waiting, sign up free {url}",
    "Индивидуалки Бишкека, реальные анкеты: {url}",
    "Lonely tonight? Local girls online now, free chat: {url}",
)
SPAM_DOMAINS = {
    "casino": ("slotsclub-kg.top", "kazino-vip.bet", "bet-mega-win.site", "slot-jackpot777.xyz"),
    "pharma": ("pills-no-rx.shop", "rx-discount24.net", "meds-express.biz", "apteka-online.top"),
    "loan": ("zaim-kg-fast.online", "dengi-srazu.site"),
    "escort": ("girls-bishkek.club", "hot-singles-near.me", "dosug-kg.vip", "night-dates.online"),
}

# The campaign: fake investors vouching for an "account manager".
CAMPAIGN_MANAGERS = (
    "Mrs. Clara Whitmore",
    "Mr. Anthony Graves",
    "Mrs. Olivia Benton",
    "Mr. Frank Delaney",
    "Ms. Rachel Sterling",
    "Mr. Victor Hale",
    "Mrs. Diana Brooks",
    "Mr. Samuel Pierce",
)
CAMPAIGN_MANAGERS_RU = (
    "Виктория Соколова",
    "Андрей Власов",
    "Марина Левченко",
    "Артур Ким",
    "Елена Гордеева",
    "Роман Белов",
)
# Opener, middle, contact, closer. Both halves of the contacts reach the manager by WhatsApp
# and by email, so the fresh wording is new sentences rather than a channel no label showed.
CAMPAIGN_EN = (
    (
        "I never believed in online trading until a friend introduced me to {manager}.",
        "Honestly I was sceptical too, then I met {manager} through a colleague.",
        "I'm a retired nurse and {manager} changed my life.",
        "Times are hard, but not for my family since we started with {manager}.",
        "People keep complaining about prices, meanwhile {manager} is helping families like mine.",
        "I was in debt last year until I found {manager}.",
    ),
    (
        "I started with {start} and now I receive {profit} every week.",
        "My first withdrawal of {profit} came after only {days} days.",
        "With just {start} invested I now make {profit} weekly without leaving home.",
        "The strategy turned my {start} into {profit} in {days} days, all withdrawn to my bank.",
        "The signals earn me {profit} every {days} days like clockwork.",
        "I invested {start} and got back {profit} within {days} days.",
    ),
    (
        "WhatsApp {phone}",
        "Message on Telegram @{handle}",
        "Contact: {mailbox}",
        "Write to {mailbox}, replies within the hour",
        "Reach out via {mailbox} or WhatsApp {phone}",
        "WhatsApp: {phone} (say you saw this page)",
    ),
    (
        "",
        " God bless.",
        " Thank me later!",
        " Don't let this chance pass.",
        " Trustworthy and patient.",
        " Mention my name.",
        " 🙏🙏",
    ),
)
CAMPAIGN_RU = (
    (
        "Я тоже раньше жаловалась на цены, пока подруга не дала мне контакт: {manager}.",
        "Не верил в инвестиции, пока не начал работать с куратором ({manager}).",
        "Пенсионерка, 64 года. Мой наставник - {manager}, и я больше не считаю копейки.",
        "Кто хочет дополнительный доход - вот мой опыт. Финансовый консультант: {manager}.",
    ),
    (
        "Вложила {start_ru}, через {days} дней вывела {profit_ru}.",
        "Теперь каждую неделю получаю {profit_ru} на карту.",
        "За {days} дней мой депозит вырос до {profit_ru}.",
        "Начинал с {start_ru}, сейчас стабильно {profit_ru} в неделю.",
    ),
    (
        "WhatsApp {phone}",
        "Телеграм @{handle}",
        "Пишите: {mailbox}",
        "Телеграм @{handle}, WhatsApp {phone}",
    ),
    ("", " Не упустите шанс!", " Огромное спасибо!", " Скажите, что от меня."),
)
CAMPAIGN_MAIL = ("gmail.com", "outlook.com", "protonmail.com", "hotmail.com")

# Readers' lines about each article: two in English and two in Russian, one of each for the
# history's wording and one for the fresh wording.
TOPICAL = {
    "bishkek-smog-reaches-record-levels": (
        "My kids haven't played outside for a week. The AQI on our street was over {aqi} this "
        "morning.",
        "Gas connections for the new settlements around the city would do more than any number "
        "of air purifiers in offices.",
        "Дети неделю не выходят на улицу, индекс качества воздуха утром был за {aqi}.",
        "Пока в частном секторе топят углём и покрышками, ничего не изменится.",
    ),
    "parliament-passes-media-law": (
        "So a ministry official now decides what counts as 'false information'. That's the whole "
        "law in one line.",
        "Registering every website as a media outlet will close half the local news pages in the "
        "regions.",
        "Теперь чиновник решает, что такое «ложная информация». Вот и весь закон.",
        "Если каждый сайт обязать регистрироваться как СМИ, половина региональных пабликов "
        "закроется.",
    ),
    "som-falls-against-the-dollar": (
        "My rent is in dollars and my salary is in som. Every month I lose about {pct}% without "
        "doing anything.",
        "Remittances fell, exports fell, so the rate fell. Nothing mysterious, the central bank "
        "just can't say it.",
        "Аренда в долларах, зарплата в сомах. Каждый месяц теряю процентов {pct}.",
        "Переводы упали, экспорт упал, вот и курс. Нацбанк просто не может сказать это прямо.",
    ),
    "new-hospital-wing-opens-a-year-late": (
        "A year late and the MRI machine still isn't installed. My mother waited {weeks} weeks "
        "for a scan.",
        "The nurses there are wonderful, it's the management that should answer for the delay.",
        "Опоздали на год, а томограф так и не установили. Мама ждала обследование {weeks} недель.",
        "Медсёстры там замечательные, отвечать за задержку должно руководство.",
    ),
    "teachers-strike-over-unpaid-wages": (
        "My wife is a teacher. She hasn't been paid for {weeks} weeks and still goes to class "
        "every day.",
        "Teachers buy chalk and paper with their own money. The least the state can do is pay "
        "them on time.",
        "Жена учитель, {weeks} недель без зарплаты, и всё равно каждый день на уроках.",
        "Учителя сами покупают мел и бумагу. Хотя бы зарплату можно платить вовремя?",
    ),
    "court-acquits-police-officers": (
        "The family waited {years} years for this trial and got nothing. How is that justice?",
        "The judge threw out the video evidence on a technicality. Read the ruling, it's worse "
        "than the article says.",
        "Семья ждала суда {years} лет и ничего не получила. Это правосудие?",
        "Судья не принял видео как доказательство из-за формальности. Прочитайте решение целиком.",
    ),
    "airport-expansion-contract-signed": (
        "Who are the beneficial owners of the contractor? The registry lists a company in "
        "{offshore}.",
        "A new terminal is nice, but the road from the city to the airport is the real bottleneck.",
        "Кто конечные владельцы подрядчика? В реестре указана фирма с {offshore_ru}.",
        "Терминал - это хорошо, но главная проблема - дорога из города в аэропорт.",
    ),
    "wrestler-wins-world-championship-gold": (
        "Goosebumps watching the final. She trained in a gym without heating, remember that.",
        "Give the coaches proper salaries and we'll have ten champions instead of one.",
        "Мурашки по коже, когда смотрел финал. Тренировалась в зале без отопления!",
        "Платите тренерам нормальную зарплату, и чемпионов будет десять, а не один.",
    ),
    "film-festival-opens-in-karakol": (
        "Went last year, the outdoor screening by the lake was magical. Highly recommend.",
        "Would be great if the films were also shown in the regions, not only in Karakol and the "
        "capital.",
        "Была в прошлом году, показ под открытым небом у озера - это что-то.",
        "Хорошо бы показывать фильмы и в регионах, не только в Караколе и столице.",
    ),
    "glaciers-shrinking-faster-than-forecast": (
        "Every farmer downstream depends on that meltwater. This should be on the front page "
        "every week.",
        "The study measured {n} glaciers, but the article doesn't say which valleys. That matters "
        "for irrigation planning.",
        "Все фермеры ниже по течению зависят от этой воды. Об этом надо писать каждую неделю.",
        "В исследовании {n} ледников, но не указано, в каких долинах. Это важно для полива.",
    ),
    "road-to-naryn-reopens-after-landslide": (
        "Drove it on Sunday. Open, yes, but one lane for about {km} km and no barriers at the "
        "edge.",
        "The same slope slides every spring. Build a gallery or a retaining wall, not another "
        "temporary fix.",
        "Ездил в воскресенье. Открыта, но одна полоса примерно на {km} км и без ограждений.",
        "Этот склон сходит каждую весну. Нужна галерея, а не очередной временный ремонт.",
    ),
    "fuel-prices-up-for-third-month": (
        "Taxi drivers in our town raised fares by {pct}% overnight. Everything follows fuel.",
        "We import almost all our fuel from one neighbour. That's the real story, not the monthly "
        "price.",
        "Таксисты у нас подняли цены на {pct}% за одну ночь. Всё дорожает вслед за бензином.",
        "Почти всё топливо мы ввозим от одного соседа. Вот о чём надо писать.",
    ),
    "mayor-resigns-after-audit": (
        "Resigned, not charged. He'll be a deputy minister within a year, watch.",
        "The audit found {n} million missing, but who signed the payments? The article should "
        "name them.",
        "Ушёл в отставку, а не под суд. Через год будет замминистра, вот увидите.",
        "Аудит нашёл недостачу в {n} миллионов, а кто подписывал платежи?",
    ),
    "border-agreement-ratified": (
        "My relatives live in the exchanged villages. Nobody has told them yet what happens to "
        "their land.",
        "Peace on the border is worth a lot. Let's hope the agreement is implemented and not just "
        "signed.",
        "Родственники живут в сёлах, которые передают. Им до сих пор никто не объяснил, что будет "
        "с землёй.",
        "Мир на границе дорогого стоит. Лишь бы соглашение выполнили, а не только подписали.",
    ),
    "earthquake-drill-in-city-schools": (
        "My son's school hasn't had a drill in {years} years and the building is from the sixties.",
        "Good that they do drills, but who checks whether the buildings would actually stand?",
        "В школе сына учений не было {years} лет, а здание шестидесятых годов.",
        "Учения - это хорошо, но кто проверяет, выдержат ли сами здания?",
    ),
    "gold-mine-revenue-report": (
        "{n} million in revenue and the nearest village still has no proper road. Where does it "
        "go?",
        "The report finally breaks down taxes by year. Thank you for making the table readable.",
        "Доход {n} миллионов, а в ближайшем селе до сих пор нет дороги. Куда всё уходит?",
        "В отчёте наконец-то разбивка налогов по годам. Спасибо за понятную таблицу.",
    ),
    "new-bus-fleet-arrives": (
        "Rode one of the new buses on route {route} today. Clean, quiet, and the driver wasn't "
        "smoking. Progress!",
        "New buses, same schedule. We still wait 40 minutes in the evening.",
        "Проехал сегодня на новом автобусе по маршруту {route}. Чисто, тихо. Прогресс!",
        "Автобусы новые, а расписание старое. Вечером по 40 минут ждём.",
    ),
    "illegal-crypto-mining-blamed-for-outages": (
        "Our whole street was without light for {hours} hours while the warehouse next door "
        "hummed all night.",
        "Funny how they find the miners only after the outages start. The power company knows who "
        "uses what.",
        "Вся улица сидела без света {hours} часов, а соседний склад гудел всю ночь.",
        "Майнеров находят только после отключений. Энергетики прекрасно знают, кто сколько "
        "потребляет.",
    ),
    "deposit-insurance-limit-raised": (
        "Good news, but most pensioners keep their savings in cash at home anyway. They don't "
        "trust banks after {year}.",
        "Is the limit per bank or per person? The article isn't clear and it matters for families "
        "with several accounts.",
        "Новость хорошая, но пенсионеры всё равно держат деньги дома. После {year} года банкам не "
        "верят.",
        "Лимит на один банк или на человека? Из статьи непонятно.",
    ),
    "investment-fraud-ring-arrested": (
        "They promised my uncle {pct}% a month. He lost his flat. I hope the victims get "
        "something back.",
        "Half of the fake 'testimonials' under news articles came from rings like this one. Good "
        "work by the police for once.",
        "Дяде обещали {pct}% в месяц. Он потерял квартиру. Надеюсь, пострадавшим хоть что-то "
        "вернут.",
        "Половина фальшивых «отзывов» под новостями - от таких вот групп. Хоть раз полиция "
        "сработала.",
    ),
}
