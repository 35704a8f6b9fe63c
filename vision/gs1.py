"""GS1 element strings → the fields stock work needs, with biip (which validates check digits and dates)."""

from __future__ import annotations

from vision.barcodes import Decoded
from vision.results import Gs1Fields

_RETAIL = {"EAN-13", "EAN-8", "UPC-A", "UPC-E"}


def gs1_fields(code: Decoded) -> Gs1Fields | None:
    """GS1 content of a code, or None for codes that carry no GS1 data (a location label, free text)."""
    from biip import ParseError, parse

    if code.format in _RETAIL:
        return Gs1Fields(gtin=code.text.zfill(14))
    if not code.gs1:
        return None
    try:
        result = parse(code.symbology + code.payload)
    except ParseError:
        return None
    message = result.gs1_message
    if message is None:
        return None
    fields: dict[str, object] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if ai == "01":
            fields["gtin"] = element.value
        elif ai == "10":
            fields["lot"] = element.value
        elif ai == "17" and element.date is not None:
            fields["expiry"] = element.date
        elif ai == "21":
            fields["serial"] = element.value
        elif ai == "37" and element.value.isdigit():
            fields["count"] = int(element.value)
    return Gs1Fields.model_validate(fields)
