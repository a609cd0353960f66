"""Surgery on the parts of an .xlsx file, for the hostile-file tests: add cells to a sheet's XML,
rename or re-encode a part, add members, all without a spreadsheet library in between."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(
    data: bytes,
    change: Callable[[str, bytes], tuple[str, bytes] | bytes | None] | None = None,
    extra: dict[str, bytes] | None = None,
    *,
    stored: frozenset[str] = frozenset(),
) -> bytes:
    """``data`` with every member passed through ``change`` (new content, (new name, content),
    or None to drop it) and ``extra`` members added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info)
            changed = change(info.filename, content) if change else content
            if changed is None:
                continue
            name, content = changed if isinstance(changed, tuple) else (info.filename, changed)
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            dst.writestr(name, content, compress_type=method)
        for name, content in (extra or {}).items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            dst.writestr(name, content, compress_type=method)
    return out.getvalue()


def sheet_part(data: bytes, title: str) -> str:
    """The zip member of the sheet called ``title`` (through workbook.xml and its rels)."""
    parts = members(data)
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet = re.search(
        rf'<sheet name="{re.escape(title)}" sheetId="\d+"(?: state="\w+")? r:id="(\w+)"', workbook
    )
    assert sheet, title
    target = re.search(rf'Id="{sheet.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
    assert target, sheet.group(1)
    return "xl/" + target.group(1)


def with_rows(data: bytes, title: str, rows_xml: str) -> bytes:
    """``rows_xml`` (``<row …>…</row>``) appended to the sheet's data."""
    part = sheet_part(data, title)

    def change(name: str, content: bytes) -> bytes:
        if name != part:
            return content
        assert b"</sheetData>" in content
        return content.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>", 1)

    return rezip(data, change)


def with_part_changed(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    return rezip(data, lambda n, c: change(c) if n == part else c)


def renamed(data: bytes, part: str, new_name: str) -> bytes:
    """The member ``part`` moved to ``new_name``, the relationship and content types following."""
    old_target = part.removeprefix("xl/").encode()
    new_target = new_name.removeprefix("xl/").encode()

    def change(name: str, content: bytes) -> tuple[str, bytes] | bytes:
        if name == part:
            return new_name, content
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(b'Target="' + old_target + b'"', b'Target="' + new_target + b'"')
        if name == "[Content_Types].xml":
            return content.replace(b"/" + part.encode() + b'"', b"/" + new_name.encode() + b'"')
        return content

    return rezip(data, change)
