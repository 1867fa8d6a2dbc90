"""The production profile on this machine (`make run-production`): its settings and the services it uses.

Production settings come from the environment. For a council they come from its own secret store; on a
developer's machine `frontdoor production prepare` writes them once to `.env.production` (never committed)
and makes what they point at: a PostgreSQL role and database with a password, a Redis user with a
password (the machine's Redis answers nobody else's commands for us), and a self-signed certificate so
the portal serves HTTPS itself. Run again, it keeps the secrets it wrote and only mends what is missing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from store.crypto import generate_key

ROLE = "frontdoor"


def production_settings(*, root: Path, port: int, rasa_port: int) -> dict[str, str]:
    """Generated values for a production-profile run on this machine's PostgreSQL (5432) and Redis (6379)."""
    database_password, redis_password = secrets.token_hex(24), secrets.token_hex(24)
    instance = root / "instance-production"
    redis = f"redis://{ROLE}:{redis_password}@127.0.0.1:6379/0"
    return {
        "FRONTDOOR_ENV": "production",
        "FRONTDOOR_DOTENV": "0",  # the environment alone: never the development .env beside it
        "INSTANCE_PATH": str(instance),  # the spool, the console outbox and SQLite job queue live here
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": generate_key(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "AUDIT_HMAC_KEYS": "k1:" + secrets.token_urlsafe(48),
        "DATABASE_URL": f"postgresql+psycopg://{ROLE}:{database_password}@127.0.0.1:5432/{ROLE}",
        "RATELIMIT_STORAGE_URI": redis,
        "REDIS_URL": redis,
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{port}",
        "TLS_CERT": str(instance / "tls" / "cert.pem"),
        "TLS_KEY": str(instance / "tls" / "key.pem"),
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_NUMBER": "+447700900000",  # Ofcom's drama range: never a real phone
        "RASA_AUTH_TOKEN": secrets.token_hex(32),
        "RASA_URLS": f"http://127.0.0.1:{rasa_port}",
        "RASA_PORT": str(rasa_port),
    }


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines()
                if "=" in line and not line.lstrip().startswith("#"))


def write_env_file(path: Path, generated: Mapping[str, str]) -> list[str]:
    """Add to `path` the settings it lacks; a value already there (a secret above all) is never replaced."""
    existing = path.read_text() if path.exists() else ""
    have = read_env_file(path)
    missing = {k: v for k, v in generated.items() if k not in have}
    if missing:
        header = "" if existing else ("# The production profile on this machine, written by `make run-production`. "
                                      "Never commit it.\n")
        body = "".join(f"{k}={v}\n" for k, v in missing.items())
        path.write_text(existing + ("" if not existing or existing.endswith("\n") else "\n") + header + body)
    path.chmod(0o600)
    return sorted(missing)


def ensure_database(database_url: str, *, admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> None:
    """The role and database DATABASE_URL names, with its password (made, or the password set again)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url.replace("postgresql+psycopg://", "postgresql://"))
    role, password, database = parts.username or ROLE, parts.password or "", parts.path.lstrip("/") or ROLE
    with psycopg.connect(admin_url, autocommit=True) as conn:
        known = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if known else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(role)))


def ensure_redis_user(redis_url: str, *, admin_url: str = "redis://127.0.0.1:6379/0") -> None:
    """A Redis user of our own, with the password in REDIS_URL and no administrative commands."""
    import redis

    parts = urlsplit(redis_url)
    client = redis.Redis.from_url(admin_url)
    client.execute_command("ACL", "SETUSER", parts.username or ROLE, "reset", "on", f">{parts.password}", "~*", "&*",
                           "+@all", "-@admin", "-@dangerous", "+info", "+keys")
    client.close()


def ensure_certificate(cert_path: Path, key_path: Path) -> bool:
    """A self-signed certificate for 127.0.0.1 and localhost (a year), unless one is there; True if made."""
    if cert_path.exists() and key_path.exists():
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Front Door (this machine)")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True
