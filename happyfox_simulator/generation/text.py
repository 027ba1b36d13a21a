"""The words of a simulated helpdesk: names, subjects, message bodies, file names.

Bodies are drawn from pools built once per helpdesk (from the seeded RNG), and the
same ``str`` objects are reused by many messages: that keeps 100,000-ticket
helpdesks fast to build and small in memory, while the pools stay large enough
that neighbouring messages read differently. Every pool mixes plain ASCII with
accents, non-Latin scripts, emoji and characters HTML must escape (``&``, ``<``).
"""

from __future__ import annotations

import html
import random
import unicodedata

FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Priya", "Arjun", "Ananya", "Rahul", "Divya", "Karthik",
    "Lakshmi", "Vikram", "Meera", "Sanjay", "José", "María", "Zoë", "Chloé", "François",
    "Renée", "Jürgen", "Björn", "Søren", "Åsa", "Łukasz", "Małgorzata", "Ömer", "Çağla",
    "İlker", "Núria", "João", "Inês", "Siobhán", "Seán", "Ángel", "Noémie", "Dariusz",
    "Ngozi", "Chidi", "Amara", "Kwame", "Aiko", "Haruto", "Mei", "Wei", "Minh", "Thảo",
    "Olumide", "Fatima", "Omar", "Layla", "Yusuf", "Elif", "Mateo", "Valentina", "Luca",
    "Giulia", "Sven", "Ingrid", "Anneliese", "Dmitri", "Olga", "Pavel", "Hana", "Tomáš",
    "Eszter", "Zsófia", "Ryan", "Emily", "Daniel", "Olivia", "Noah", "Emma", "Liam", "Ava",
    "O'Neil", "D'Arcy", "Anne-Marie", "Jean-Luc",
]

LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Krishnan", "Subramanian", "Iyer", "Natarajan", "Reddy", "Sharma",
    "Patel", "Gupta", "Nair", "Menon", "Müller", "Schröder", "Groß", "Weiß", "Jørgensen",
    "Lindqvist", "Ångström", "Kowalski", "Wiśniewski", "Dąbrowski", "Yılmaz", "Öztürk",
    "Çelik", "García", "Martínez", "Rodríguez", "Núñez", "Peña", "Gonçalves", "Conceição",
    "O'Brien", "O'Connor", "McAllister", "Ó Súilleabháin", "Nguyễn", "Trần", "Lê", "Okafor",
    "Adeyemi", "Mensah", "Tanaka", "Suzuki", "Yamamoto", "Chen", "Wang", "Zhang", "Kim",
    "Park", "Haddad", "Khalil", "Rossi", "Bianchi", "Esposito", "Novák", "Dvořák", "Horváth",
    "Nagy", "Ivanov", "Petrov", "van der Berg", "de Vries", "Dubois", "Lefèvre", "Faure",
    "Smith-Jones", "St. John",
]

# Whole names in scripts an ASCII-only email cannot be derived from.
NON_LATIN_NAMES = [
    "李娜", "王芳", "张伟", "刘洋", "陈静", "佐藤 健", "鈴木 花子", "高橋 翔", "김민준", "이서연",
    "Дмитрий Иванов", "Ольга Смирнова", "Алексей Кузнецов", "Ελένη Παπαδοπούλου",
    "Γιώργος Νικολάου", "محمد العلي", "فاطمة الزهراء", "יוסי כהן", "नेहा शर्मा", "ராஜேஷ் குமார்",
    "สมชาย ใจดี",
]

EMOJI_NAMES = [
    "Sam 🚀", "🦊 Fox Fan", "Lily 🌸 Chen", "Max 💻", "Ana ☕ Silva", "Tom 🎸", "Zoë ✨",
    "Raj 🏏 Kumar", "👩‍💻 Dev Team", "Mia 🐱", "Ben 🇬🇧 Carter", "Kai 🌊",
]

FREE_MAIL_DOMAINS = [
    "gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "proton.me", "icloud.com",
    "gmx.de", "yandex.ru", "qq.com", "web.de", "mail.com",
]

COMPANY_DOMAINS = [
    ("Acme Corporation", "acme-corp.com"), ("Globex", "globex.com"), ("Initech", "initech.io"),
    ("Umbrella Ltd", "umbrella.co.uk"), ("Stark Industries", "stark-industries.com"),
    ("Wayne Enterprises", "wayne-ent.com"), ("Hooli", "hooli.xyz"), ("Soylent", "soylent.co"),
    ("Müller & Söhne GmbH", "mueller-soehne.de"), ("Tyrell Corp", "tyrell.ai"),
    ("Cyberdyne Systems", "cyberdyne.net"), ("Vandelay Industries", "vandelay.com"),
    ("Wonka Industries", "wonka.co"), ("Oceanic Airlines", "oceanic-air.com"),
    ("Pied Piper", "piedpiper.com"), ("Massive Dynamic", "massivedynamic.org"),
    ("Nakatomi Trading", "nakatomi.jp"), ("Dunder Mifflin", "dundermifflin.com"),
    ("Los Pollos Hermanos", "lospolloshermanos.mx"), ("Gringotts", "gringotts.bank"),
    ("Blue Sun", "bluesun.space"), ("Aperture Science", "aperture.science"),
    ("Black Mesa", "blackmesa.edu"), ("Monarch Solutions", "monarch.gov"),
    ("Sirius Cybernetics", "sirius-cyber.com"), ("Bluth Company", "bluth.co"),
    ("Prestige Worldwide", "prestige-ww.com"), ("Kruger Industrial", "kruger.co.za"),
]

ACCOUNTS = [
    ("Northwind Cloud", "northwind", "northwind.io"),
    ("Brightline Software", "brightline", "brightline.app"),
    ("Contoso Labs", "contoso", "contoso-labs.com"),
    ("Fabrikam Analytics", "fabrikam", "fabrikam.dev"),
    ("Lumen Payments", "lumenpay", "lumenpay.com"),
]

PRODUCTS = ["Web App", "Mobile App", "Public API", "Desktop Client", "Integrations"]

TAGS = [
    "billing", "refund", "bug", "login", "sso", "vip", "follow-up", "escalated", "outage",
    "how-to", "feature-request", "invoice", "android", "ios", "api", "performance",
    "data-export", "onboarding", "churn-risk", "gdpr", "security", "Q3-campaign", "duplicate",
    "needs_info", "P1",
]

ATTACHMENT_NAMES = [
    "screenshot.png", "Screenshot 2024-03-07 at 10.42.13.png", "error.log", "error log (1).txt",
    "invoice.pdf", "Invoice_INV-20931.pdf", "receipt.jpg", "IMG_4821.HEIC", "export.csv",
    "report_final_v2.xlsx", "contract signed.pdf", "Résumé final (2).docx", "データ.xlsx",
    "отчёт.pdf", "photo 🙂.jpg", "har-file.har", "console_output.txt", "config.yaml",
    "Bildschirmfoto 2024-05-02 um 14.03.55.png", "debug-bundle.zip", "recording.mp4",
    "crash_dump.dmp", "network & proxy settings.txt", "diagram<v2>.png",
]

ROLE_PERMISSIONS = {
    "Administrator": [
        "relate_tickets", "manage_import_assets", "merge_tickets", "delete_tickets",
        "move_tickets", "edit_ticket_contact", "manage_contacts", "manage_contact_groups",
        "view_reports", "manage_reports", "manage_kb", "export_tickets", "manage_staff",
        "manage_categories", "manage_smart_rules", "manage_sla",
    ],
    "Manager": [
        "relate_tickets", "merge_tickets", "move_tickets", "edit_ticket_contact",
        "manage_contacts", "manage_contact_groups", "view_reports", "manage_reports",
        "export_tickets", "manage_kb",
    ],
    "Agent": [
        "relate_tickets", "merge_tickets", "edit_ticket_contact", "manage_contacts",
        "view_reports",
    ],
    "Light Agent": ["view_reports"],
}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

SUBJECTS: dict[str, list[str]] = {
    "general": [
        "Question about my account", "How do I change my email address?",
        "Feedback on the new dashboard 👍", "Can't find the export button",
        "Where can I download my data?", "Need help getting started",
        "Notification emails going to spam", "Change the owner of our workspace",
        "Question about {product}", "Is {product} available in my region?",
        "Accessibility issue with the {product} menu", "Problème de connexion à mon compte",
        "Frage zu meinem Konto", "账户问题", "Не приходят уведомления",
    ],
    "billing": [
        "Invoice for {month} shows the wrong amount", "Refund for order #{n}",
        "Card declined when upgrading to Pro", "VAT number missing on invoice",
        "Charged twice this month", "Cancel my subscription", "Update billing address",
        "Request for a copy of invoice INV-{n}", "Pricing & discounts for annual plan",
        "Problème de facturation – facture {n}", "Payment failed (error {code})",
    ],
    "technical": [
        "Can't log in with SSO", "{product} crashes on startup",
        "Error 500 when exporting reports", "Sync stuck at {pct}%",
        "API returns 429 after a few calls", "Webhook not firing for new records",
        "Page loads very slowly since the update", "2FA code not accepted",
        "Data missing after import", "CSV export has broken characters (é → Ã©)",
        "{product}: \"Something went wrong\" on save", "Timeouts calling /v2/records <urgent>",
        "Mobile app logs me out every few minutes", "Integration with Slack disconnected",
        "Zugangsdaten funktionieren nicht", "同步失败", "Ошибка при входе в систему",
    ],
    "sales": [
        "Quote for {n} seats", "Discount for non-profits?", "Trial extension request",
        "Enterprise plan features", "Volume pricing for {n} users", "Demo request",
        "Procurement questionnaire & security review", "Reseller partnership",
    ],
    "feature": [
        "Dark mode please 🌙", "Support for exporting to CSV", "Bulk edit records",
        "Allow custom fields on the mobile app", "Keyboard shortcuts", "Zapier integration",
        "More granular permissions", "Scheduled reports by email", "Calendar view for {product}",
    ],
    "internal": [
        "Laptop won't connect to VPN", "New hire onboarding", "Access request: staging database",
        "Replace broken monitor", "Password reset for shared mailbox", "Printer on 3rd floor jammed",
        "Software licence request: IDE", "Phishing email reported",
    ],
}

CONTACT_OPENERS = ["Hi,", "Hello,", "Hi team,", "Hi there,", "Good morning,", "Dear support,",
                   "Hey folks,", "Bonjour,", "Hallo,", "Hello 👋,", ""]
CONTACT_SIGNOFFS = ["Thanks", "Thank you!", "Best regards", "Cheers", "Regards", "Thanks in advance 🙏",
                    "Merci", "Kind regards", "Sent from my iPhone", ""]

CONTACT_SENTENCES = [
    "Since this morning I keep getting an error when I try to save my changes.",
    "I followed the steps in your help article but nothing changed.",
    "This is blocking our whole team, so a quick answer would be appreciated.",
    "It worked fine last week, so I suspect the latest update broke something.",
    "I attached a screenshot that shows the message I get.",
    "We are on the Pro plan & have about 40 users.",
    "The error says \"Request failed with status 500\".",
    "Could you please check what is going on with our account?",
    "I already cleared the cache and tried another browser (Chrome & Firefox).",
    "Our finance team needs this sorted before the end of the month.",
    "Is there a workaround we can use in the meantime?",
    "I'm not sure whether this is a bug or whether I'm doing something wrong.",
    "The amount on the invoice is different from what we agreed on.",
    "We were charged twice for the same period.",
    "Can you tell me when this will be available?",
    "It happens on both Windows and macOS.",
    "Only some of our users are affected, the others can work normally.",
    "I tried to reset my password but the email never arrives.",
    "Our ticket reference on our side is <REF-2291>.",
    "The problem started right after we enabled single sign-on.",
    "Please let me know if you need any more details from us.",
    "We're evaluating whether to renew, so this matters to us.",
    "Das Problem tritt seit gestern auf.",
    "Le problème persiste malgré la mise à jour.",
    "Спасибо за помощь!",
    "谢谢你们的帮助。",
    "Honestly this is getting frustrating 😕",
    "Great product otherwise, we love it ❤️",
    "The numbers in the report don't add up: 12 + 30 ≠ 45.",
    "Our admin is on holiday, so I'm reaching out on their behalf.",
]

CONTACT_FOLLOWUPS = [
    "Thanks for the quick reply.", "I tried that, but it still doesn't work.",
    "Here is the information you asked for.", "That fixed it, thank you so much! 🎉",
    "Any update on this?", "I've attached the log file you requested.",
    "It works now for me but my colleague still sees the error.",
    "Sorry for the late reply, I was travelling.", "Can we schedule a call to go through it?",
    "The issue came back today.", "Following up on this again, it's been a few days.",
    "Yes, the account email is the one I'm writing from.", "Perfect, that's all we needed.",
    "I'm not able to find that setting, where exactly is it?",
    "We upgraded to the latest version and the issue is gone.",
]

STAFF_SENTENCES = [
    "Thanks for reaching out and sorry for the trouble.",
    "I've looked into your account and can see what is happening.",
    "Could you send us a screenshot of the error and the time it happened?",
    "Our engineering team has identified the cause and a fix is being rolled out.",
    "Please try clearing your browser cache and signing in again.",
    "I've issued a refund; it should show on your statement within 5–7 business days.",
    "I've corrected the invoice and attached the updated copy.",
    "This is a known issue and we're tracking it internally.",
    "Could you confirm which version of the app you are using?",
    "I've reset the configuration on our side; could you check whether it works now?",
    "I'm going to escalate this to our second-line team.",
    "You can find the setting under Settings → Integrations → Webhooks.",
    "I've extended your trial by 14 days.",
    "Let me know if there's anything else I can help with.",
    "I'll mark this ticket as resolved, but feel free to reply if the problem comes back.",
    "For security reasons we can't change the account owner without a written request.",
    "The API limit on your plan is 500 requests per minute & the counter resets every minute.",
    "We've added your vote to this feature request 🙂",
    "I can confirm the charge was duplicated; the second one has been voided.",
    "Could you share the HAR file from your browser so we can see the failing request?",
]

NOTE_SENTENCES = [
    "Customer is on the legacy plan, check with billing before refunding.",
    "Reproduced on staging, linked to the sync bug.",
    "Escalating to tier 2; see internal thread.",
    "Waiting for engineering to deploy the fix.",
    "Called the customer, they will send the logs tomorrow.",
    "Possible duplicate of an older ticket from the same contact.",
    "VIP account: keep the account manager in the loop.",
    "Refund approved by finance.",
    "Do NOT close before the customer confirms.",
    "Customer sounded upset on the phone; be careful with the wording.",
    "Checked the logs: requests time out in the EU region only.",
    "Moved to the right queue.",
]

LOG_LINES = [
    "{ts} INFO  [worker-{w}] sync batch {b} started (records={r})",
    "{ts} WARN  [worker-{w}] retrying request to https://api.example.com/v2/records?page={b} (attempt 2)",
    "{ts} ERROR [worker-{w}] HTTP 500 Internal Server Error <html><body>upstream timed out</body></html>",
    "{ts} DEBUG [worker-{w}] payload={{\"id\": {r}, \"name\": \"Zoë & co\", \"tags\": [\"a\", \"b\"]}}",
    "{ts} INFO  [worker-{w}] batch {b} done in {r} ms",
    "{ts} ERROR [worker-{w}] java.lang.NullPointerException at com.example.sync.Mapper.map(Mapper.java:{r})",
]


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters/digits of ``text`` (accents dropped), '' if none survive."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [c for c in decomposed.encode("ascii", "ignore").decode().lower() if c.isalnum()]
    return "".join(kept)


def make_person_name(rng: random.Random) -> str:
    """A contact name: mostly Latin-script first + last, some non-Latin, some with emoji."""
    r = rng.random()
    if r < 0.07:
        return rng.choice(NON_LATIN_NAMES)
    if r < 0.10:
        return rng.choice(EMOJI_NAMES)
    if r < 0.12:
        return rng.choice(FIRST_NAMES)  # first name only
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def email_local_part(rng: random.Random, name: str) -> str:
    parts = [ascii_slug(p) for p in name.split()]
    parts = [p for p in parts if p]
    if not parts:
        return rng.choice(["user", "contact", "info", "hello", "support", "admin"]) + str(rng.randint(1, 9999))
    first, last = parts[0], parts[-1]
    style = rng.randrange(5)
    if style == 0 or len(parts) == 1:
        return first + (str(rng.randint(1, 99)) if rng.random() < 0.3 else "")
    if style == 1:
        return f"{first}.{last}"
    if style == 2:
        return f"{first[0]}{last}"
    if style == 3:
        return f"{first}_{last}"
    return f"{first}.{last}{rng.randint(1, 99)}"


def _text_and_html(paragraphs: list[str], rich: bool, rng: random.Random) -> tuple[str, str]:
    """Plain text (paragraphs separated by blank lines) and a matching HTML rendering."""
    text = "\n\n".join(p for p in paragraphs if p) + "\n"
    if not rich:
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)
        return text, f"<div>{body}</div>"
    # Rich HTML: bold, a list, a link, sometimes an inline image or a small table.
    chunks = []
    for i, p in enumerate(paragraphs):
        if not p:
            continue
        escaped = html.escape(p, quote=False)
        if i == 1:
            chunks.append(f"<p><strong>{escaped}</strong></p>")
        else:
            chunks.append(f"<p>{escaped}</p>")
    extra = rng.randrange(3)
    if extra == 0:
        chunks.insert(1, '<ul><li>Step one &ndash; open <em>Settings</em></li>'
                         '<li>Step two: click <a href="https://help.example.com/kb/article/42">here</a></li></ul>')
    elif extra == 1:
        chunks.insert(1, '<p><img src="https://cdn.example.com/inline/3f9a1c.png" alt="screenshot" '
                         'width="640" height="360"></p>')
    else:
        chunks.insert(1, '<table border="1"><tr><th>Field</th><th>Value</th></tr>'
                         '<tr><td>Plan</td><td>Pro</td></tr><tr><td>Seats</td><td>40</td></tr></table>')
    return text, '<div dir="ltr" style="font-family: Arial, sans-serif">' + "".join(chunks) + "</div>"


class BodyPools:
    """Pools of (text, html) message bodies, built once per helpdesk."""

    def __init__(self, rng: random.Random, size: int, staff_names: list[str]):
        self.contact_open = [self._contact(rng, CONTACT_SENTENCES, 2, 5) for _ in range(size)]
        self.contact_reply = [self._contact(rng, CONTACT_FOLLOWUPS, 1, 2) for _ in range(max(20, size // 2))]
        per_staff = max(8, size // max(1, len(staff_names)) // 2)
        self.staff_reply = [
            [self._staff(rng, name) for _ in range(per_staff)] for name in staff_names
        ]
        self.notes = [self._note(rng) for _ in range(max(20, size // 4))]
        self.large = [self._large(rng, i) for i in range(6)]

    @staticmethod
    def _contact(rng: random.Random, sentences: list[str], lo: int, hi: int) -> tuple[str, str]:
        body = " ".join(rng.sample(sentences, rng.randint(lo, hi)))
        paragraphs = [rng.choice(CONTACT_OPENERS), body, rng.choice(CONTACT_SIGNOFFS)]
        return _text_and_html(paragraphs, rng.random() < 0.25, rng)

    @staticmethod
    def _staff(rng: random.Random, staff_name: str) -> tuple[str, str]:
        body = " ".join(rng.sample(STAFF_SENTENCES, rng.randint(1, 4)))
        greeting = rng.choice(["Hi,", "Hello,", "Hi there,", "Thanks for your patience,"])
        paragraphs = [greeting, body, f"Best regards,\n{staff_name}\nCustomer Support"]
        return _text_and_html(paragraphs, rng.random() < 0.35, rng)

    @staticmethod
    def _note(rng: random.Random) -> tuple[str, str]:
        body = " ".join(rng.sample(NOTE_SENTENCES, rng.randint(1, 2)))
        return _text_and_html([body], False, rng)

    @staticmethod
    def _large(rng: random.Random, index: int) -> tuple[str, str]:
        """A ~50 KB message: a pasted log, the kind of body that breaks naive loaders."""
        lines = []
        size = 0
        target = 48_000 + 1_000 * index
        second = 0
        while size < target:
            second += rng.randint(0, 3)
            ts = f"2024-01-{1 + (second // 86400) % 28:02d}T{(second // 3600) % 24:02d}:{(second // 60) % 60:02d}:{second % 60:02d}Z"
            line = rng.choice(LOG_LINES).format(ts=ts, w=rng.randint(1, 8), b=rng.randint(1, 999),
                                                 r=rng.randint(1, 99999))
            lines.append(line)
            size += len(line) + 1
        intro = "Hi, here is the full output from the sync job, it fails every time around the same point:"
        log = "\n".join(lines)
        text = f"{intro}\n\n{log}\n\nThanks\n"
        html_body = (f"<div><p>{html.escape(intro, quote=False)}</p><pre>{html.escape(log, quote=False)}</pre>"
                     "<p>Thanks</p></div>")
        return text, html_body
