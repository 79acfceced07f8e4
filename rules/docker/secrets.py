"""What looks like a secret: names, literal values, credentials inside URLs. And masking."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple

from dockreview.rules.finding import Confidence
from dockreview.rules.lazyre import lazy

# Name parts that mean "this holds a secret".
_SECRET_NAME = lazy(
    r"(?:^|[_.-])(?:PASS(?:WORD|WD)?|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|"
    r"AUTH_?KEY|CREDENTIALS?|ENCRYPTION_?KEY|SIGNING_?KEY|MASTER_?KEY|APP_?KEY|CLIENT_?SECRET|"
    r"DB_?PASS|SALT|JWT_?SECRET|WEBHOOK_?SECRET|LICENSE_?KEY|CONNECTION_?STRING)(?:$|[_.-])",
    re.IGNORECASE,
)
# Plural forms (`API_TOKENS`, `DB_PASSWORDS`) and names written without separators (`MYAPIKEY`).
_SECRET_PLURAL = lazy(r"(?:^|[_.-])(?:TOKENS|PASSWORDS|SECRETS|API_?KEYS)$", re.IGNORECASE)
_SECRET_ENDING = lazy(r"[A-Za-z0-9](?:APIKEY|PASSWORD|PASSWD|SECRET|TOKEN|SECRETKEY|ACCESSKEY)$", re.IGNORECASE)
_CAMEL = lazy(r"(?<=[a-z0-9])(?=[A-Z])")
# Public by name: shipped to browsers or meant to be shared (`NEXT_PUBLIC_*`, publishable keys).
_PUBLIC = lazy(r"(?:^|[_.-])(?:PUBLIC|PUBLISHABLE|PUB)(?:$|[_.-])", re.IGNORECASE)
# Counts and limits about tokens (`MAX_TOKENS`, `NUM_TOKENS`).
_COUNT_PREFIX = lazy(r"^(?:MAX|MIN|NUM|TOTAL|COUNT|LIMIT)[_.-]", re.IGNORECASE)
# Name endings that mean "this is about a secret, not the secret itself".
_NOT_SECRET_SUFFIX = lazy(
    r"(?:_FILE|_PATH|_DIR|_NAME|_USER|_USERNAME|_ID|_LENGTH|_LEN|_MIN|_MAX|_TTL|_EXPIRY|_EXPIRE|_EXPIRES|"
    r"_EXPIRATION|_TIMEOUT|_LIFETIME|_AGE|_HEADER|_ALGORITHM|_ALG|_TYPE|_ENABLED|_REQUIRED|_POLICY|"
    r"_RESET|_PROVIDER|_MODE|_FIELD|_PARAM|_PREFIX|_URL|_URI|_HOST|_PORT|_COUNT|_ROTATION|_METHOD|"
    r"_STRENGTH|_COMPLEXITY|_SCHEME|_ENV|_VAR|_LOCATION|_ROUNDS|_ITERATIONS|_CACHE|_REGEX)$",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = lazy(r"^(?:.*_)?(?:PASSWORD_AUTHENTICATION|NO_?PASSWORD|ALLOW_EMPTY_PASSWORD)$", re.I)

_ONLY_REFERENCE = lazy(r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\$\{[^}]*\})\s*$")
# Flags, and sentinels that switch a feature off (`API_KEY=${API_KEY:-invalid}`): not secrets.
_BOOLEANISH = {"true", "false", "yes", "no", "on", "off", "none", "null", "~", "0", "1", "-", "", "invalid", "disabled"}
# Linear time: a match starts only where a run of scheme characters starts (the lookbehind), and
# skips the run's leading non-letters (`lead`), so no start inside a long run rescans the rest of it.
_URL_CREDENTIALS = lazy(
    r"(?<![a-z0-9+.-])(?P<lead>[0-9+.-]*)(?P<scheme>[a-z][a-z0-9+.-]*)://"
    r"(?P<user>[^:/@\s'\"]*):(?P<password>[^@/\s'\"]+)@",
    re.IGNORECASE,
)
_SECRET_PATHS = ("/run/secrets/", "/var/run/secrets/", "/secrets/", "file:", "vault:", "secretsmanager:")
MASK = "****"
# `${VAR:-literal}` / `${VAR-literal}` as the whole value.
_DEFAULT = lazy(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<default>[^${}]*)\}$")
# Any interpolation left in a value (`$$` escapes removed first).
_INTERPOLATION = lazy(r"\$(?:\{|[A-Za-z_])")
_PATH = lazy(r"^(?:/|\./|\.\./|~/)[^\s:;,]*$")
# The placeholder policy (docs/writing-rules.md, "Secrets"): words and shapes that say "replace me".
_PLACEHOLDER = lazy(
    r"^(?:x{3,}|\*{3,}|\.{3,}|<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|"
    r"(?:dummy|placeholder|change[-_ ]?me\d*|fake|not[-_]?a[-_]?secret|unused|todo|fixme|redacted|"
    r"replace[-_ ]?me|insert[-_ ]?here)(?:[-_ .].*)?|"
    r"your[-_ ]?(?:own[-_ ])?(?:[a-z0-9]+[-_ ])*(?:password|passwd|pass|secret|token|key|api[-_ ]?key)"
    r"(?:[-_ ]?here)?|"
    r"change[-_ ]?(?:this|it|me)(?:[-_ ].*)?|.*[-_ ]here)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 14)  # a function of the name: asked for every variable of every service and project
def is_secret_name(name: str) -> bool:
    """A name for a secret: `DB_PASSWORD`, `api-key`, `amazonToken` (camel case), `MYAPIKEY` (no
    separators, by its ending), `GITHUB_TOKENS` (plural). Not: names about a secret (`*_FILE`,
    `*_URL`, `MAX_TOKENS`) or public by name (`public_token`, `NEXT_PUBLIC_API_KEY`,
    `STRIPE_PUBLISHABLE_KEY`)."""
    stripped = name.strip().strip("'\"")
    spaced = _CAMEL.sub("_", stripped)  # amazonToken -> amazon_Token
    for candidate in dict.fromkeys((stripped, spaced)):
        if _NOT_SECRET_SUFFIX.search(candidate) or _NOT_SECRET_NAME.match(candidate) or _PUBLIC.search(candidate):
            return False
        if _COUNT_PREFIX.match(candidate):
            return False
        if _SECRET_NAME.search(candidate) or _SECRET_PLURAL.search(candidate):
            return True
    return bool(_SECRET_ENDING.search(stripped)) and len(stripped) <= 40


# Connection strings that carry a password by design, whatever their suffix says (`DATABASE_URL`).
_CREDENTIAL_URL_NAME = lazy(
    r"^(?:[A-Z0-9]+_)*(?:DATABASE|DB|POSTGRES(?:QL)?|PG|MYSQL|MARIADB|MONGO(?:DB)?|REDIS|AMQP|RABBITMQ|BROKER)"
    r"_(?:URL|URI|DSN)$|(?:^|_)(?:DSN|CONNECTION_?STRING)$",
    re.IGNORECASE,
)


def is_build_secret_name(name: str) -> bool:
    """A build argument that carries a secret: a secret name, or a database or broker connection URL
    (`DATABASE_URL`, `REDIS_URL`, `SENTRY_DSN`...: they hold the password), which `is_secret_name`
    leaves out for runtime variables (`compose-url-credentials` judges their values there)."""
    stripped = name.strip().strip("'\"")
    return is_secret_name(stripped) or bool(_CREDENTIAL_URL_NAME.search(stripped))


def is_reference(value: str) -> bool:
    """`${VAR}`, `${VAR:?msg}`, `$VAR`, `${{ secrets.X }}`: the value comes from elsewhere."""
    text = value.strip()
    return bool(_ONLY_REFERENCE.match(text)) or (text.startswith("${{") and text.endswith("}}"))


def is_literal_secret(value: str | None) -> bool:
    """A value written out in the file, not a reference, a path, a flag or a partly interpolated value.

    Placeholders count as literal here (see `secret_value` for the policy that tells them apart)."""
    found = secret_value(value)
    return found is not None and found.kind != "default"


# Well-known credential formats: a value in one of them is a secret whatever its name. Each starts
# with a fixed prefix and runs over one character class with a bounded length: linear time.
_KNOWN_KEYS: tuple[tuple[str, str, bool], ...] = (  # (pattern, what it is, a test/sandbox key)
    (r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", "an AWS access key id", False),
    (r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", "a GitHub token", False),
    (r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b", "a GitHub fine-grained token", False),
    (r"\bglpat-[A-Za-z0-9_-]{20,64}\b", "a GitLab personal access token", False),
    (r"\bxox[abposr]-[A-Za-z0-9-]{10,255}", "a Slack token", False),
    (r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]{1,32}/B[A-Za-z0-9_]{1,32}/[A-Za-z0-9_]{8,64}",
     "a Slack webhook URL", False),
    (r"\b[sr]k_live_[A-Za-z0-9]{16,255}\b", "a Stripe live key", False),
    (r"\b[sr]k_test_[A-Za-z0-9]{16,255}\b", "a Stripe test key", True),
    (r"\bSG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}\b", "a SendGrid API key", False),
    (r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", "a Google API key", False),
    (r"\bnpm_[A-Za-z0-9]{36}\b", "an npm token", False),
    (r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----", "a private key", False),
)
_KNOWN_KEY = lazy("|".join(f"(?P<k{i}>{pattern})" for i, (pattern, _what, _test) in enumerate(_KNOWN_KEYS)))


class KnownKey(NamedTuple):
    """A value in a well-known credential format."""

    what: str  # "a GitHub token"
    text: str  # the matched key (to mask)
    test: bool  # a test or sandbox key (`sk_test_...`): nothing of value leaks


def known_key(value: str | None) -> KnownKey | None:
    """The first well-known credential format in `value` (a Stripe, GitHub, AWS, Slack, SendGrid,
    GitLab, Google, npm key or a private key block), if any."""
    if not value or len(value) < 16:
        return None
    match = _KNOWN_KEY.search(value)
    if match is None or match.lastgroup is None:
        return None
    _pattern, what, test = _KNOWN_KEYS[int(match.lastgroup[1:])]
    # AWS documents its keys with an `...EXAMPLE` suffix (`AKIAIOSFODNN7EXAMPLE`): a sample, not a key
    return KnownKey(what, match.group(0), test or match.group(0).endswith("EXAMPLE"))


def mask_known_keys(text: str) -> str:
    return _KNOWN_KEY.sub(MASK, text) if len(text) >= 16 else text


class SecretValue(NamedTuple):
    """What a secret-named value holds, by the one policy every secret rule applies.

    - `literal`: written out in the file; it leaks with it (high confidence).
    - `placeholder`: a value that says it must be replaced (`xxx`, `<token>`, `changeme`,
      `your-api-key`, `dummy`): nothing leaks, but it ships as is when nobody replaces it (low).
    - `default`: `${VAR:-literal}`: the literal ships whenever the variable is unset (medium).
    """

    kind: Literal["literal", "placeholder", "default", "test_key"]
    text: str  # the literal part (to mask and to digest)
    known: str | None = None  # the well-known format it is in ("a GitHub token"), if any

    @property
    def confidence(self) -> Confidence:
        return {"literal": Confidence.HIGH, "default": Confidence.MEDIUM}.get(self.kind, Confidence.LOW)


def secret_entry(name: str, value: str | None) -> SecretValue | None:
    """What a `NAME=value` entry holds by the one secret policy: a secret-named entry by
    `secret_value`; any entry whose written-out value is in a well-known credential format (a
    `sk_test_` key: `test_key`, low confidence), whatever its name."""
    found = secret_value(value) if is_secret_name(name) else None
    key = known_key(value)
    if key is None:
        return found
    written = secret_value(value)
    if written is None:
        return found
    if written.kind == "default":
        return SecretValue("default", key.text, key.what)
    return SecretValue("test_key" if key.test else "literal", key.text if found is None else found.text, key.what)


def secret_value(value: str | None) -> SecretValue | None:
    """Classify a secret-named value; None when it is not a written-out value at all: a reference
    (`${VAR}`, `${VAR:?msg}`, `$VAR`, `${{ secrets.X }}`), a value built around an interpolation
    (`u:${PW}`, `pre-$SUFFIX`), a file path (`/run/secrets/db`, `./key.json`), a flag or empty."""
    if value is None:
        return None
    text = value.strip().strip("'\"")
    default = _DEFAULT.match(text)
    if default:
        inner = secret_value(default.group("default"))
        if inner is None:
            return None
        return inner if inner.kind == "placeholder" else SecretValue("default", inner.text)
    if text.lower() in _BOOLEANISH or is_reference(text) or is_path(text):
        return None
    if _INTERPOLATION.search(text.replace("$$", "")):
        return None
    return SecretValue("placeholder" if is_placeholder(text) else "literal", text)


def is_placeholder(value: str) -> bool:
    """A value that only stands in for a secret: it says it must be replaced."""
    return bool(_PLACEHOLDER.match(value.strip().strip("'\"")))


def is_path(value: str) -> bool:
    """An absolute or relative file path (`/run/keys/sa.json`, `./certs/key.pem`, `~/.aws`): where a
    secret is, not the secret."""
    text = value.strip()
    return text.startswith(_SECRET_PATHS) or bool(_PATH.match(text))


def url_secret(value: str) -> tuple[re.Match[str], SecretValue] | None:
    """The first `scheme://user:password@` whose password is written out, with what it holds."""
    for match in _URL_CREDENTIALS.finditer(value):
        password = match.group("password")
        if password.startswith("$"):
            continue
        found = secret_value(password)
        if found is not None and found.kind != "default":
            return match, found
    return None


def url_credentials(value: str) -> re.Match[str] | None:
    """The first `scheme://user:password@` with a written-out password (placeholders included), if any."""
    found = url_secret(value)
    return found[0] if found else None


def mask(text: str, secret: str) -> str:
    """Replace every occurrence of `secret` in `text` (never print a secret)."""
    return text.replace(secret, MASK) if secret else text


def mask_url(value: str) -> str:
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('lead')}{m.group('scheme')}://{m.group('user')}:{MASK}@", value)


def env_name(name: str) -> str:
    """A safe environment variable name derived from a key (for suggested `${VAR}` fixes)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name).upper().strip("_")
    return cleaned if cleaned and not cleaned[0].isdigit() else f"SECRET_{cleaned}"


def secret_basis(value: str) -> str:
    """What identifies a secret value across a change without holding it: a short salted digest.

    A finding about a literal secret uses it as its `basis`: the same password moved to another line
    is the same finding; a changed password is a new one (it leaked anew)."""
    import hashlib  # here: OpenSSL's module is slow to load, and most reviews find no secret

    digest = hashlib.sha256(b"dockreview-secret\x00" + value.encode("utf-8", "surrogatepass"))
    return "sha256:" + digest.hexdigest()[:20]
