"""The inbox (and every table of the analytics) as a CSV file that Excel opens correctly in every staff language.

UTF-8 with a byte-order mark (so Excel does not read it as ANSI), the lead API's field
names as header, and the list separator Excel expects in the reader's locale: a comma
in English, a semicolon in German, French, Italian and Polish. Cells that a spreadsheet
would run as a formula (an SME may type `=HYPERLINK(...)` as its company) are quoted.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

from bot.leads.models import Lead
from bot.leads.serialize import LEAD_FIELDS, lead_to_dict

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def delimiter_for(language: str) -> str:
    return "," if language == "en" else ";"


def leads_csv(leads: Iterable[Lead], language: str) -> str:
    rows = (lead_to_dict(lead) for lead in leads)
    return table_csv(LEAD_FIELDS, ([row[name] for name in LEAD_FIELDS] for row in rows), language)


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], language: str) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=delimiter_for(language), lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
