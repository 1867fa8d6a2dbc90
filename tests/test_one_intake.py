"""One front door (issue 14): a contact is made in mash/intake.py and nowhere else, whatever the source (web,
text, chat, police, out-of-hours, a partner). Anything else that wants a contact calls mash.intake."""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ("bot", "forms", "mash", "portal", "signposting", "store")
THE_ONE_WAY_IN = ROOT / "mash" / "intake.py"


def _makes_a_contact(tree: ast.AST) -> list[int]:
    """Lines that construct a Contact, or insert into its table, however it is spelled."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) \
                else None
            if name == "Contact":
                found.append(node.lineno)
            # insert(Contact), Contact.__table__.insert(), pg_insert(Contact)
            if name in {"insert", "pg_insert", "sqlite_insert"}:
                args = [a.id for a in node.args if isinstance(a, ast.Name)]
                owner = target.value if isinstance(target, ast.Attribute) else None
                table_of = owner.value.id if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) \
                    else None
                if "Contact" in args or table_of == "Contact":
                    found.append(node.lineno)
    return found


def _parse(path: Path) -> ast.AST:
    try:
        return ast.parse(path.read_text(), filename=str(path))
    except SystemError:
        # CPython 3.11.7's AST validator can trip on its own recursion-depth bookkeeping after another test in
        # the same thread recursed deeply ("AST constructor recursion depth mismatch", gh-106905, fixed in
        # 3.11.8): a fresh thread starts that bookkeeping at zero.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(ast.parse, path.read_text(), str(path)).result()


def test_no_core_module_makes_a_contact_but_mash_intake():
    elsewhere = []
    for package in CORE:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == THE_ONE_WAY_IN:
                continue
            lines = _makes_a_contact(_parse(path))
            elsewhere += [f"{path.relative_to(ROOT)}:{line}" for line in lines]
    assert not elsewhere, f"contacts made outside mash/intake.py: {elsewhere}"
    assert _makes_a_contact(ast.parse(THE_ONE_WAY_IN.read_text())), "mash/intake.py no longer makes contacts?"


def test_the_check_sees_a_contact_made_elsewhere():
    # The check itself can fail: each spelling it looks for is found in a made-up module.
    for source in ("c = Contact(reference='x')", "session.execute(insert(Contact).values())",
                   "session.execute(Contact.__table__.insert())", "m.Contact(kind='concern')"):
        assert _makes_a_contact(ast.parse(source)), source
    assert not _makes_a_contact(ast.parse("link = ConversationContact(contact_id=1)"))
