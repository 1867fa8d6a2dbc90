"""Field encryption: keys from settings, rotation to a new key, and refusal without keys."""

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import text

from forms import examples
from forms.referral import REPORT
from mash.intake import receive_referral
from mash.models import Contact
from store.crypto import Keyring, KeyringNotConfigured, generate_key, keyring
from store.rotation import encrypted_columns, rotate_all
from tests.conftest import TEST_INDEX_KEY, TEST_KEYS


def test_rotation_re_encrypts_everything_under_the_new_key(db_session):
    referral, _ = REPORT.validate(examples.professional_concern())
    receive_referral(db_session, referral, channel="web", actor="public:web")
    db_session.commit()
    before = db_session.execute(text("SELECT referrer_name FROM contacts")).scalar_one()

    new_key = generate_key()
    keyring.configure([new_key, *TEST_KEYS], TEST_INDEX_KEY)  # step 1: new key first, old kept
    count = rotate_all(db_session, batch=2)
    db_session.commit()
    assert count > 10
    after = db_session.execute(text("SELECT referrer_name FROM contacts")).scalar_one()
    assert after != before

    keyring.configure([new_key], TEST_INDEX_KEY)  # step 3: the old key is gone
    db_session.expunge_all()
    contact = db_session.query(Contact).one()
    assert contact.referrer_name == "Priya Shah"
    assert contact.children[0].date_of_birth == examples.professional_concern()["children"][0]["date_of_birth"]
    assert contact.answers["household"][1]["name"] == "Dean Carter"


def test_without_the_right_key_nothing_decrypts(db_session):
    referral, _ = REPORT.validate(examples.professional_concern())
    receive_referral(db_session, referral, channel="web", actor="public:web")
    db_session.commit()
    keyring.configure([generate_key()], TEST_INDEX_KEY)
    db_session.expunge_all()
    with pytest.raises(InvalidToken):
        db_session.query(Contact).one()


def test_every_personal_column_is_encrypted():
    columns = encrypted_columns()
    for table, names in {
        "contacts": {"referrer_name", "referrer_phone", "referrer_email", "concern_text", "answers"},
        "children": {"first_name", "last_name", "date_of_birth", "address", "postcode", "due_date"},
        "household_members": {"name", "date_of_birth", "address"},
        "consent_records": {"given_by", "parents_not_told_reason", "without_consent_reason"},
        "drafts": {"answers"},
    }.items():
        assert names <= set(columns[table][1]), table


def test_an_unconfigured_keyring_refuses():
    empty = Keyring()
    with pytest.raises(KeyringNotConfigured):
        empty.encrypt("x")
    with pytest.raises(KeyringNotConfigured):
        empty.configure([], "k" * 40)
    with pytest.raises(KeyringNotConfigured):
        empty.configure([generate_key()], "short")
