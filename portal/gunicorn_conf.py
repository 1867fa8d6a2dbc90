"""gunicorn's settings for the production profile (`gunicorn -c python:portal.gunicorn_conf portal.wsgi:app`).

Sized for docs/deployment.md: each worker is a process with a few threads (requests mostly wait on the
database and on Rasa, so threads overlap them; processes use the cores and survive one another's crash).
Everything is an environment variable with a default, so a council sizes it without editing code."""

import os

# Only the portal listens, and only where it is told: 127.0.0.1 unless HOST says otherwise (a TLS proxy or
# load balancer in front of it is the usual production shape).
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5443')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A turn waits at most 3 s on Rasa; nothing should take 30.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# HTTPS end to end when a certificate is given (make run-production makes a self-signed one); otherwise a
# TLS proxy in front terminates it and PROXY_FIX_HOPS tells the portal to trust its X-Forwarded-Proto.
certfile = os.environ.get("TLS_CERT") or None
keyfile = os.environ.get("TLS_KEY") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The access log never holds a query string (postcodes, search words): %(U)s is the path alone.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# gunicorn 24+ opens a control socket for runtime management by default; nothing here uses it, and every
# listener is one more thing to secure.
control_socket_disable = True
