"""What looks like a secret: names, literal values, credentials inside URLs. And masking."""

from __future__ import annotations

import hashlib
import re

# Name parts that mean "this holds a secret".
_SECRET_NAME = re.compile(
    r"(?:^|[_.-])(?:PASS(?:WORD|WD)?|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|"
    r"AUTH_?KEY|CREDENTIALS?|ENCRYPTION_?KEY|SIGNING_?KEY|MASTER_?KEY|APP_?KEY|CLIENT_?SECRET|"
    r"DB_?PASS|SALT|JWT_?SECRET|WEBHOOK_?SECRET|LICENSE_?KEY|CONNECTION_?STRING)(?:$|[_.-])",
    re.IGNORECASE,
)
# Name endings that mean "this is about a secret, not the secret itself".
_NOT_SECRET_SUFFIX = re.compile(
    r"(?:_FILE|_PATH|_DIR|_NAME|_USER|_USERNAME|_ID|_LENGTH|_LEN|_MIN|_MAX|_TTL|_EXPIRY|_EXPIRE|_EXPIRES|"
    r"_EXPIRATION|_TIMEOUT|_LIFETIME|_AGE|_HEADER|_ALGORITHM|_ALG|_TYPE|_ENABLED|_REQUIRED|_POLICY|"
    r"_RESET|_PROVIDER|_MODE|_FIELD|_PARAM|_PREFIX|_URL|_URI|_HOST|_PORT|_COUNT|_ROTATION|_METHOD|"
    r"_STRENGTH|_COMPLEXITY|_ENV|_VAR|_LOCATION|_ROUNDS|_ITERATIONS|_CACHE|_REGEX)$",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = re.compile(r"^(?:.*_)?(?:PASSWORD_AUTHENTICATION|NO_?PASSWORD|ALLOW_EMPTY_PASSWORD)$", re.I)

_ONLY_REFERENCE = re.compile(r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\$\{[^}]*\})\s*$")
_BOOLEANISH = {"true", "false", "yes", "no", "on", "off", "none", "null", "~", "0", "1", "-", ""}
# Linear time: a match starts only where a run of scheme characters starts (the lookbehind), and
# skips the run's leading non-letters (`lead`), so no start inside a long run rescans the rest of it.
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.-])(?P<lead>[0-9+.-]*)(?P<scheme>[a-z][a-z0-9+.-]*)://"
    r"(?P<user>[^:/@\s'\"]*):(?P<password>[^@/\s'\"]+)@",
    re.IGNORECASE,
)
_SECRET_PATHS = ("/run/secrets/", "/var/run/secrets/", "/secrets/", "file:", "vault:", "secretsmanager:")
MASK = "****"


def is_secret_name(name: str) -> bool:
    stripped = name.strip().strip("'\"")
    if _NOT_SECRET_SUFFIX.search(stripped) or _NOT_SECRET_NAME.match(stripped):
        return False
    return bool(_SECRET_NAME.search(stripped))


def is_reference(value: str) -> bool:
    """`${VAR}`, `${VAR:?msg}`, `$VAR`, `${{ secrets.X }}`: the value comes from elsewhere."""
    text = value.strip()
    return bool(_ONLY_REFERENCE.match(text)) or (text.startswith("${{") and text.endswith("}}"))


def is_literal_secret(value: str | None) -> bool:
    """A value written out in the file, not a reference, a path to a secret file, or a flag."""
    if value is None:
        return False
    text = value.strip().strip("'\"")
    if text.lower() in _BOOLEANISH:
        return False
    if is_reference(text) or text.startswith(_SECRET_PATHS):
        return False
    # Whole-value interpolation with a default still reads from the environment.
    return not (text.startswith("${") and text.endswith("}") and text.count("${") == 1)


def url_credentials(value: str) -> re.Match[str] | None:
    """The first `scheme://user:password@` with a literal password, if any."""
    for match in _URL_CREDENTIALS.finditer(value):
        password = match.group("password")
        if is_literal_secret(password) and not password.startswith("$"):
            return match
    return None


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
    digest = hashlib.sha256(b"dockreview-secret\x00" + value.encode("utf-8", "surrogatepass"))
    return "sha256:" + digest.hexdigest()[:20]
