"""Search words and postcodes travel in query strings; the access log must not keep them."""

import logging

from portal.logs import RedactQueryStrings


def test_the_access_log_line_loses_its_query_string(caplog):
    logger = logging.getLogger("werkzeug.test")
    logger.addFilter(RedactQueryStrings())
    with caplog.at_level(logging.INFO, logger="werkzeug.test"):
        logger.info('%s - - [%s] "%s" %s %s', "127.0.0.1", "27/Nov/2026",
                    "GET /services?postcode=RG40+1BN&text=drinking HTTP/1.1", "200", "-")
    assert "RG40" not in caplog.text and "drinking" not in caplog.text
    assert "GET /services?… HTTP/1.1" in caplog.text


def test_the_app_installs_the_filter_on_werkzeug(app):
    assert any(isinstance(f, RedactQueryStrings) for f in logging.getLogger("werkzeug").filters)
