"""Persistence shared by the core packages: the declarative base, engines, field encryption, counters.

Nothing here knows about Flask; the portal, the CLI and the tests all build sessions from `make_engine`.
"""
