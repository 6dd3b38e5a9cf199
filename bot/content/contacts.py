"""Contacts as content (``content/contacts.yaml``): hotlines, offices and organisations, checked and parsed.

The check reports, as ``file:line: problem``: schema errors, a duplicate id, a phone
number whose digits are not in its seed quote, and (as warnings) a Khmer name with
little Khmer script and a contact no editor has verified.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.content.model import Contact, ContentError, Documents, Source
from bot.content.validate import CheckReport, SeedLines, check_source, load_valid
from bot.text.i18n import khmer_ratio

CONTACTS_FILE = "contacts.yaml"


def check_contacts(root: Path, report: CheckReport, parsed: Documents, seeds: SeedLines) -> None:
    doc = load_valid(parsed, root, CONTACTS_FILE, "contacts", report,
                     "no contacts file; the hotlines topic will have no numbers")
    if doc is None:
        return
    seen: dict[str, str] = {}
    for i, c in enumerate(doc.data["contacts"]):
        where = doc.where("contacts", i)
        if c["id"] in seen:
            report.errors.append(f"{where}: duplicate contact id {c['id']!r}")
        seen[c["id"]] = where
        if khmer_ratio(c["name"]["km"]) < 0.3:
            report.warnings.append(f"{doc.where('contacts', i, 'name', 'km')}: name.km has little Khmer script")
        check_source(c["source"], doc.where("contacts", i, "source"), seeds, report, f"contact {c['id']}")
        if not c.get("verified"):
            msg = f"{where}: contact {c['id']} is not verified by an editor; the bot shows it as unconfirmed"
            report.warnings.append(msg)
            report.unverified.append(msg)
        if "phone" in c and "seed" in c["source"]:
            digits = re.sub(r"\D", "", c["phone"])
            quote_digits = re.sub(r"\D", "", c["source"].get("quote", ""))
            if digits.lstrip("0") not in quote_digits and digits[-7:] not in quote_digits:
                report.errors.append(f"{where}: phone {c['phone']} does not match the digits of its seed quote")


def contact_from(raw: dict) -> Contact:
    return Contact(
        id=raw["id"],
        name=dict(raw["name"]),
        kind=raw["kind"],
        serves=tuple(raw["serves"]),
        verified=bool(raw.get("verified", False)),
        source=Source.from_dict(raw.get("source") or {}),
        phone=raw.get("phone"),
        email=raw.get("email"),
        url=raw.get("url"),
        address=raw.get("address"),
        hours=raw.get("hours"),
        note=raw.get("note"),
        topics=tuple(raw.get("topics") or ()),
    )


def load_contacts(root: Path, parsed: Documents | None = None, problems: list[str] | None = None) -> list[Contact]:
    """The contacts, in file order; none if there is no file (run :func:`check_contacts` first: this only parses).

    A contact that cannot be built adds a problem to ``problems`` (without it: ContentError).
    """
    parsed = parsed if parsed is not None else Documents()
    collect: list[str] = [] if problems is None else problems
    contacts: list[Contact] = []
    path = root / CONTACTS_FILE
    if path.exists():
        doc = parsed.get(path)
        for i, raw in enumerate((doc.data or {}).get("contacts") or []):
            try:
                contacts.append(contact_from(raw))
            except (KeyError, TypeError) as exc:
                collect.append(f"{doc.where('contacts', i)}: contact is missing {exc}")
    if problems is None and collect:
        raise ContentError(collect)
    return contacts
