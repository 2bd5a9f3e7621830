"""A labelled corpus for the guard: realistic sensitive values (all fake) and the harmless text people type.

Every value has the real format, and passes the checksum where the format has one, but
none is a real credential or a real person's data. Provider tokens are assembled from
parts at run time from a seeded generator, so no file here looks like a live key to a
provider's secret scanning.

`tests/guard_samples.py` adds a value drawn from each rule imported from gitleaks;
`tests/guard_rates.py` measures both and writes the table in docs/guard.md.
"""

from __future__ import annotations

import base64
import random
import string

_random = random.Random(20261123)
_ALNUM = string.ascii_letters + string.digits
_BASE64 = _ALNUM + "+/"


def _chars(alphabet: str, length: int) -> str:
    return "".join(_random.choice(alphabet) for _ in range(length))


def _join(*parts: str) -> str:
    """A prefix split in two, so the source never holds a provider's marker next to a token."""
    return "".join(parts)


def _luhn_complete(prefix: str, length: int) -> str:
    """A card number of `length` digits starting with `prefix` whose Luhn check digit is right."""
    body = prefix + _chars(string.digits, length - len(prefix) - 1)
    for check in string.digits:
        digits = [int(d) for d in body + check]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


def _iban(country: str, bban: str) -> str:
    """An IBAN with correct check digits, grouped in fours as it is printed."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _jwt() -> str:
    import json

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "JWT"})
    payload = part({"sub": "user-4821", "name": "Test Person", "iat": 1763900000})
    return f"{header}.{payload}.{_chars(_ALNUM + '-_', 43)}"


def positives() -> list[tuple[str, str]]:
    """(family, text): each text holds one sensitive value of that family, in a sentence."""
    upper27 = string.ascii_uppercase + "234567"
    aws_secret = _chars(_BASE64, 40)
    return [
        ("aws", f"deploy used {_join('AK', 'IA')}{_chars(upper27, 16)} from the old laptop"),
        ("aws", f"temporary creds {_join('AS', 'IA')}{_chars(upper27, 16)} expire tonight"),
        ("aws", f"AWS_SECRET_ACCESS_KEY={aws_secret}"),
        ("aws", f"aws secret key: {_chars(_BASE64, 40)} (rotate it)"),
        # Known miss: a secret key with no name nearby is 40 characters anyone could type.
        ("aws", f"the second one was {_chars(_BASE64, 40)}"),
        ("github", f"token {_join('gh', 'p_')}{_chars(_ALNUM, 36)} has repo scope"),
        ("github", f"oauth {_join('gh', 'o_')}{_chars(_ALNUM, 36)}"),
        ("github", f"the action used {_join('gh', 's_')}{_chars(_ALNUM, 36)}"),
        ("github", f"the wiki says {_join('gh', 'p-')}{_chars(_ALNUM, 36)}"),
        ("github", f"fine-grained {_join('github', '_pat_')}11{_chars(_ALNUM, 20)}_{_chars(_ALNUM, 59)}"),
        ("gitlab", f"CI uses {_join('gl', 'pat-')}{_chars(_ALNUM, 20)}"),
        ("gitlab", f"gitlab token {_join('gl', 'pat-')}{_chars(_ALNUM + '_-', 20)}"),
        (
            "slack",
            f"bot {_join('xo', 'xb-')}{_chars(string.digits, 12)}-{_chars(string.digits, 13)}-{_chars(_ALNUM, 24)}",
        ),
        (
            "slack",
            f"user token {_join('xo', 'xp-')}{_chars(string.digits, 12)}-{_chars(string.digits, 12)}-{_chars(string.digits, 13)}-{_chars('abcdef0123456789', 32)}",
        ),
        (
            "slack",
            f"app token {_join('xa', 'pp-')}1-A{_chars(string.digits + 'ABCDEFGHIJ', 10)}-{_chars(string.digits, 13)}-{_chars('abcdef0123456789', 64)}",
        ),
        (
            "slack",
            f"alerts go to https://{_join('hooks.sl', 'ack.com')}/services/T{_chars(upper27, 8)}/B{_chars(upper27, 10)}/{_chars(_ALNUM, 24)}",
        ),
        ("stripe", f"live key {_join('sk', '_live_')}{_chars(_ALNUM, 24)}"),
        ("stripe", f"restricted {_join('rk', '_live_')}{_chars(_ALNUM, 24)}"),
        ("stripe", f"test mode {_join('sk', '_test_')}{_chars(_ALNUM, 24)} in the demo"),
        (
            "openai",
            f"OPENAI_API_KEY {_join('sk-', 'proj-')}{_chars(_ALNUM + '_-', 74)}{_join('T3Blbk', 'FJ')}{_chars(_ALNUM + '_-', 74)}",
        ),
        (
            "openai",
            f"old key {_join('s', 'k-')}{_chars(_ALNUM, 20)}{_join('T3Blbk', 'FJ')}{_chars(_ALNUM, 20)}",
        ),
        ("openai", f"service account {_join('sk-', 'svcacct-')}{_chars(_ALNUM + '_-', 58)}"),
        (
            "anthropic",
            f"key {_join('sk-', 'ant-', 'api03-')}{_chars(_ALNUM + '_-', 93)}AA for the eval harness",
        ),
        ("anthropic", f"admin {_join('sk-', 'ant-', 'admin01-')}{_chars(_ALNUM + '_-', 93)}AA"),
        ("google", f"maps key {_join('AI', 'za')}Sy{_chars(_ALNUM + '_-', 33)}"),
        ("google", f"GOOGLE_API_KEY={_join('AI', 'za')}{_chars(_ALNUM + '_-', 35)}"),
        ("google", f"gemini: {_join('AI', 'za')}{_chars(_ALNUM + '_-', 35)}."),
        (
            "azure",
            f"DefaultEndpointsProtocol=https;AccountName=acmeprod;{_join('Account', 'Key')}={_chars(_BASE64, 86)}==;EndpointSuffix=core.windows.net",
        ),
        (
            "azure",
            f"Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=Root;{_join('SharedAccess', 'Key')}={_chars(_BASE64, 43)}=",
        ),
        ("npm", f"publish with {_join('np', 'm_')}{_chars(_ALNUM, 36)}"),
        (
            "npm",
            f"//registry.npmjs.org/:{_join('_auth', 'Token')}={_chars(_ALNUM, 8)}-{_chars(_ALNUM, 4)}-{_chars(_ALNUM, 12)}",
        ),
        ("huggingface", f"HF token {_join('h', 'f_')}{_chars(string.ascii_letters, 34)}"),
        ("huggingface", f"org token {_join('api', '_org_')}{_chars(string.ascii_letters, 34)}"),
        ("sendgrid", f"mail via {_join('S', 'G.')}{_chars(_ALNUM + '_-', 22)}.{_chars(_ALNUM + '_-', 43)}"),
        ("sendgrid", f"SENDGRID_API_KEY={_join('S', 'G.')}{_chars(_ALNUM, 22)}.{_chars(_ALNUM, 43)}"),
        ("private-key", f"-----BEGIN RSA {_join('PRIVATE', ' KEY')}-----\nMIIEow{_chars(_BASE64, 60)}"),
        ("private-key", f"-----BEGIN OPENSSH {_join('PRIVATE', ' KEY')}-----"),
        ("private-key", f"pasted -----BEGIN {_join('PRIVATE', ' KEY')}----- by mistake"),
        ("private-key", f"-----BEGIN EC {_join('PRIVATE', ' KEY')}-----"),
        ("jwt", f"Authorization: Bearer {_jwt()}"),
        ("jwt", f"session cookie {_jwt()}"),
        ("url-credentials", "cache at redis://:s3cr3tpw@cache.internal:6379/0"),
        ("url-credentials", "postgres://u:p@h"),
        ("url-credentials", "DATABASE_URL=postgres://app:Wint3r-2026@db.acme-corp.com:5432/app"),
        ("url-credentials", "mongodb+srv://admin:hunter22@cluster0.abcde.mongodb.net/prod"),
        ("url-credentials", "queue amqp://svc:Q7pz9w@rabbit.acme-corp.com:5672"),
        ("password", "password: hunter2"),
        ("password", "DB_PASSWORD=S3cure!pass"),
        ("password", "pwd = Tr0ub4dor&3"),
        ("password", "the password is Summer2024!"),
        ("password", "admin passphrase: correct-horse-battery-staple"),
        ("password", "pw: Xk29!mzQ"),
        ("password", 'password="Xy7#kq2L"'),
        ("generic-secret", f"api_key = {_chars('abcdef0123456789', 32)}"),
        ("generic-secret", f"client_secret: {_chars(_ALNUM, 40)}"),
        ("generic-secret", f"secret={_chars(_ALNUM, 24)}"),
        ("generic-secret", f'"x-api-key": "{_chars(_ALNUM, 30)}"'),
        ("generic-secret", f"webhook token: {_chars(_ALNUM, 32)}"),
        ("generic-secret", "the token is abc123XYZ789qwe"),
        ("stripe", f"the wiki page had {_join('sk', '-live-')}{_chars(_ALNUM, 24)} in it"),
        ("stripe", f"restricted key {_join('rk', '-test-')}{_chars(_ALNUM, 24)}."),
        (
            "discord",
            f"DISCORD_BOT_TOKEN={_join('MT', 'A')}{_chars(_ALNUM, 23)}.{_chars(_ALNUM, 6)}.{_chars(_ALNUM + '_-', 38)}",
        ),
        (
            "discord",
            f"the bot logs in with {_join('N', 'z')}{_chars(_ALNUM, 22)}.{_chars(_ALNUM, 6)}.{_chars(_ALNUM, 27)}",
        ),
        ("gitlab", f"trigger with {_join('gl', 'ptt-')}{_chars('0123456789abcdef', 40)}"),
        ("gitlab", f"runner token {_join('gl', 'rt-')}{_chars(_ALNUM + '_-', 20)}"),
        ("gitlab", f"deploy token {_join('gl', 'dt-')}{_chars(_ALNUM, 20)} for the registry"),
        ("gitlab", f"register with {_join('GR13', '48941')}{_chars(_ALNUM, 20)}"),
        ("pypi", f"TWINE_PASSWORD={_join('pypi-', 'AgEIcHlwaS5vcmc')}{_chars(_ALNUM + '_-', 140)}"),
        ("pypi", f"upload token {_join('pypi-', 'AgEIcHlwaS5vcmc')}{_chars(_ALNUM, 60)} is scoped"),
        ("telegram", f"bot token {_chars(string.digits, 10)}:{_join('A', 'A')}{_chars(_ALNUM + '_-', 33)}"),
        ("telegram", f"TELEGRAM_TOKEN = '{_chars(string.digits, 9)}:{_join('A', 'A')}{_chars(_ALNUM, 33)}'"),
        ("mailchimp", f"newsletter key {_chars('0123456789abcdef', 32)}-{_join('u', 's6')}"),
        ("mailchimp", f"MAILCHIMP_API_KEY={_chars('0123456789abcdef', 32)}-{_join('u', 's21')}"),
        ("twilio", f"twilio api key {_join('S', 'K')}{_chars('0123456789abcdef', 32)}"),
        ("twilio", f"SMS sent with {_join('S', 'K')}{_chars('0123456789abcdef', 32)}."),
        ("jwt", f"unsigned token {_jwt().rsplit('.', 1)[0]}."),
        ("jwt", f"cookie held {base64.b64encode(_jwt().encode()).decode()}"),
        ("vault", f"VAULT_TOKEN={_join('hv', 's.')}{_chars(_ALNUM + '_-', 95)}"),
        ("email", "asked jo.doe@acme-corp.com about retention"),
        ("email", "firstname.lastname@gmail.com reported the bad answer"),
        ("email", "beta tester maria+beta@mail.acme.de"),
        ("email", "Contact: Founder@Startup.IO"),
        ("phone", "call +44 20 7946 0958 before launch"),
        ("phone", "Berlin office +49 30 901820"),
        ("phone", "her mobile is 06 12 34 56 78"),
        ("phone", "call +1 415 555 0100"),
        ("phone", "call (415) 555-0100"),
        ("phone", "+33 6 12 34 56 78"),
        ("phone", "landline 020 7946 0958"),
        ("phone", "+31 20 123 4567 (Amsterdam desk)"),
        ("phone", "support line 415-555-0100"),
        ("phone", "UK mobile 07700 900123"),
        ("phone", "+49 (0)30 901820"),
        ("phone", "tel. 0049 30 901820"),
        ("phone", "fax (020) 7946 0958"),
        ("phone", "Sent from +447700900123"),
        # Known miss: a local number without its area code is as short as an order number.
        ("phone", "ring me on 7946 0958"),
        ("iban", "refund to DE89 3704 0044 0532 0130 00"),
        ("iban", "GB82 WEST 1234 5698 7654 32"),
        ("iban", f"pay to {_iban('FR', '20041010050500013M02606')}"),
        ("iban", f"IBAN {_iban('NL', 'ABNA0417164300').replace(' ', '')}"),
        ("iban", f"Spanish account {_iban('ES', '21000418450200051332')}"),
        ("card", "card 4111 1111 1111 1111"),
        ("card", "5555-5555-5555-4444"),
        ("card", "amex 3782 822463 10005"),
        ("card", f"customer card {_luhn_complete('4', 16)}"),
        ("card", f"mastercard {_luhn_complete('52', 16)}"),
        ("ssn", "SSN 219-09-9998 on the form"),
        ("ssn", "social security number: 078051121"),
        ("ssn", "applicant 536-22-8341"),
        ("nino", "NI number AB 12 34 56 C"),
        ("nino", "NINO: JG103759A"),
        ("nino", "national insurance NH 65 43 21 B"),
    ]


def negatives() -> list[str]:
    """Text product people type into notes and reasons that holds nothing sensitive."""
    return [
        "Summarise the support ticket in three bullet points for the agent.",
        "prompt: You are a helpful assistant that answers in French.",
        "We asked the model for the user's password and it refused.",
        "the secret is to keep prompts short",
        "scores: 100 200 300",
        "ids 1001 1002 1003 1004 1005 were affected",
        "v2.14.3 shipped on 2026-11-22",
        "release 2026.11.3-rc1, build 20261123.4",
        "version matrix: 3.10 3.11 3.12 3.13",
        "latency p95 went from 840 ms to 410 ms",
        "accuracy 92.4% on 1,200 samples; hallucination rate 3.1%",
        "percentages: 12% 18% 25% 40%",
        "A/B test: variant B +3.5% CTR (p=0.03)",
        "sample size n=1,250; CI 95% [0.81, 0.87]",
        "NPS went 31 -> 38 over Q3",
        "Q4 target: 10,000 weekly actives",
        "price moved from $19.99 to $24.99",
        "costs: $0.15 per 1M input tokens",
        "error rate 0.02 -> 0.005",
        "embedding dim 1536, chunk size 512, overlap 64",
        "temperature=0.7, top_p=0.9, max_tokens=512",
        "model gpt-4o-mini-2024-07-18 at temperature 0.2",
        "token budget: 4096 tokens per request",
        "meeting at 14:30 on 23/11/2026",
        "between 9:00 and 17:30 CET",
        "dates: 2026-01-15, 2026-02-15, 2026-03-15",
        "checked on 2026-11-22T10:15:00Z",
        "contact pat@example.com for the rollout",
        "ask support@example.org or ops@staging.example.net",
        "send to qa@team.test and bot@host.invalid",
        "test user alice@example",
        "https://docs.acme-corp.com/ai/policy?section=3#data",
        "doc at https://example.com/guide and http://localhost:8080/health",
        "postgres://localhost:5432/app",
        "clone https://user@github.com/acme/app",
        "git@github.com:acme/app.git",
        "see https://github.com/acme/app/pull/123 and PR #45",
        "commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f",
        "fixed in 9fceb02",
        "request id 123e4567-e89b-12d3-a456-426614174000",
        "UUID 550e8400-e29b-41d4-a716-446655440000",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "the password reset flow now rate-limits after 5 tries",
        "Password: required for admin users",
        "password: see the vault",
        "api_key: ${OPENAI_API_KEY}",
        "secret: <stored in the secrets manager>",
        "session token expires after 24h",
        "cache key: user-profile-v2",
        "Key result: retention +4.2 pts",
        "API key rotation happens every 90 days",
        "auth: SSO via Okta",
        "The SSN field is masked in logs",
        "phone field is optional in the signup form",
        "a customer asked whether we store their email address",
        "order 1234567890123",
        "4111 1111 1111 1112",
        "coordinates 52.5200, 13.4050",
        "IP 10.0.12.7 blocked by WAF",
        "ticket JIRA-4521 and PR #873",
        "OWASP LLM02 (2025), MEASURE 2.11, MS-2.5-003, Art. 50(1), A.7.5",
        "ISO/IEC 42001:2023 and EU 2024/1689",
        "see RFC 6761 section 6.4",
        "Case ref 2024/00123/AB",
        "tested with 5 prompts x 3 models = 15 runs",
        "room 4.12, floor 3",
        "GBP 1,250,000 budget approved",
        "call volume was 1200 per day",
        "Slack channel #ai-safety, thread from Tuesday",
        "the owner is the product manager",
        "backup runs at 02:00 and 14:00",
        "1 2 3 4 5 6 7 8 9 10",
        "Figure 3: 0.91 0.93 0.95 0.97",
        "totals 1200 3400 5600 7800",
        "counts 2024 2025 2026 and 2023-2024-2025",
        "user id 0012345678, bank ref 00123456789",
        "code 0000 0000 0000 0000",
        "serial 0123 4567 8901",
        "card ending 4242",
        "range 0-100, steps: 0 10 20 30 40 50",
        "postcode SW1A 1AA",
        "the token is valid for 24h",
        "our Discord server id is 112233445566778899",
        "join the Discord at discord.gg/acme-ai",
        "telegram channel t.me/acme_support, 1200 members",
        "meeting 10:30:AM in room 4",
        "mailchimp audience 3f9a2b1c7d, region us-east-1",
        "deployed to us-west-2 and eu-central-1",
        "ticket SK-1042 moved to done",
        "the Twilio account SID lives in the vault",
        "pypi page https://pypi.org/project/micromoment/",
        "gitlab runners register with a glrt- token from the settings page",
        "the sk-live key was rotated on Monday",
        "risk-test-plan v2 and task-live-demo",
        "JWT header eyJhbGciOiJIUzI1NiJ9 is all we log",
        "we use npm-run-all and npm-check-updates in CI",
        "the hf-transfer package speeds up downloads",
        "ghp- and github-pat- tokens are blocked by the proxy",
        "sourcegraph indexed commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f",
        "the twilio webhook answered 200 for SM1234 and MM5678",
    ]
