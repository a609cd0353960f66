"""The parts of an uploaded workbook's zip, read from the raw bytes under a running bound.

The sizes in the zip headers may lie, so every entry is actually inflated, piece by piece, with
a bound on the total of all parts and on each part's ratio (:func:`inflate`);
:func:`sheet_parts` names the part of each sheet as calamine resolves it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import defusedxml.ElementTree

from portfolio.exchange.refusals import UnreadableFile

ZIP_MAGIC = b"PK\x03\x04"
IN_CHUNK = 1 << 16
OUT_CHUNK = 1 << 20
LOCAL_HEADER = 30  # bytes of a zip entry's local header before its name and extra field


@dataclass(frozen=True)
class InflateLimits:
    """At most ``total_bytes`` inflated over all parts; a part inflated beyond
    ``ratio_from_bytes`` at most ``max_ratio`` times its compressed bytes read so far."""

    total_bytes: int
    max_ratio: int
    ratio_from_bytes: int


class Budget:
    """The bytes inflated so far, under ``limits``."""

    def __init__(self, limits: InflateLimits) -> None:
        self.limits = limits
        self.total = 0

    def fresh(self) -> Budget:
        """A budget of its own (nothing inflated yet) under the same limits."""
        return Budget(self.limits)


def norm(path: str) -> str:
    """A part's name as lookups compare it (forward slashes, any case)."""
    return path.replace("\\", "/").lower()


def _raw_entry(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of one entry, found through its local header."""
    start = info.header_offset
    local = data[start : start + LOCAL_HEADER]
    if len(local) < LOCAL_HEADER or local[:4] != ZIP_MAGIC:
        raise UnreadableFile("broken")
    offset = start + LOCAL_HEADER + int.from_bytes(local[26:28], "little")
    offset += int.from_bytes(local[28:30], "little")
    raw = memoryview(data)[offset : offset + info.compress_size]
    if len(raw) != info.compress_size:
        raise UnreadableFile("broken")
    return raw


def _stored_pieces(raw: memoryview) -> Iterator[tuple[bytes, int]]:
    """(piece, compressed bytes consumed so far) of a stored entry."""
    pos = 0
    while True:
        piece = bytes(raw[pos : pos + OUT_CHUNK])
        pos += len(piece)
        if not piece:
            return
        yield piece, pos


def _deflated_pieces(raw: memoryview) -> Iterator[tuple[bytes, int]]:
    """(piece, compressed bytes consumed so far) of a deflated entry; a truncated or corrupt
    stream is refused."""
    inflater = zlib.decompressobj(-15)
    pos = 0
    while True:
        tail = inflater.unconsumed_tail
        try:
            if tail:
                piece = inflater.decompress(tail, OUT_CHUNK)
            elif pos < len(raw) and not inflater.eof:
                block = raw[pos : pos + IN_CHUNK]
                pos += len(block)
                piece = inflater.decompress(block, OUT_CHUNK)
            elif not inflater.eof:
                raise UnreadableFile("broken")  # truncated stream
            else:
                return
        except zlib.error:
            raise UnreadableFile("broken") from None
        consumed = pos - len(inflater.unconsumed_tail)
        if not piece:
            if inflater.eof and not inflater.unconsumed_tail:
                return
            continue
        yield piece, consumed


def inflate(data: bytes, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The bytes of one entry, inflated piece by piece from the raw zip data with a running
    bound: the declared size (header sizes may lie), the total, and the ratio once the part has
    inflated to ``ratio_from_bytes`` (so a tightly packed part is refused after a few pieces)."""
    raw = _raw_entry(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        pieces = _stored_pieces(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _deflated_pieces(raw)
    else:  # calamine reads stored and deflated parts only
        raise UnreadableFile("structure", part=info.filename)
    limits = budget.limits
    crc = 0
    produced = 0
    for piece, consumed in pieces:
        produced += len(piece)
        budget.total += len(piece)
        if produced > info.file_size:
            raise UnreadableFile("broken")  # more than the header says: the sizes lie
        if budget.total > limits.total_bytes:
            raise UnreadableFile("bomb", limit=limits.total_bytes // 1_000_000)
        if produced > limits.ratio_from_bytes and produced > limits.max_ratio * max(consumed, 1):
            raise UnreadableFile("ratio", part=info.filename, ratio=limits.max_ratio)
        crc = zlib.crc32(piece, crc)
        yield piece
    if produced != info.file_size or crc != info.CRC:
        raise UnreadableFile("broken")


# ---- the sheets' parts -----------------------------------------------------------------------


def _local_tag(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _PartReader:
    """The small XML parts of a zip (relationships, the workbook) by name, ignoring case."""

    def __init__(self, archive: zipfile.ZipFile, data: bytes, limits: InflateLimits) -> None:
        self.infos = {norm(i.filename): i for i in archive.infolist()}
        self.data = data
        self.limits = limits

    def parse(self, path: str) -> ET.Element | None:
        """The part at ``path``, None when it is missing, large or cannot be read."""
        info = self.infos.get(norm(path))
        if info is None or info.file_size > 16 << 20:
            return None
        try:
            content = b"".join(inflate(self.data, info, Budget(self.limits)))
            return defusedxml.ElementTree.fromstring(content)
        except (UnreadableFile, ET.ParseError, ValueError):
            return None
        except Exception:  # defusedxml's refusals (DTDForbidden, EntitiesForbidden, …)
            return None


def _workbook_folder(root_rels: ET.Element) -> str | None:
    """The folder of the workbook part, as ``_rels/.rels`` names it (``xl/``), None if it
    names none."""
    target = next(
        (
            e.get("Target", "")
            for e in root_rels.iter()
            if _local_tag(e.tag) == "Relationship"
            and e.get("Type", "").endswith("/relationships/officeDocument")
        ),
        None,
    )
    if target is None:
        return None
    folder = target[: target.rfind("/") + 1] if "/" in target else ""
    return folder.removeprefix("/")


def _sheet_targets(
    workbook: ET.Element, rels: ET.Element, folder: str
) -> Iterator[tuple[str, str]]:
    """(sheet name, path of its part) of each sheet the workbook names with a relationship."""
    targets = {
        e.get("Id"): e.get("Target", "")
        for e in rels.iter()
        if _local_tag(e.tag) == "Relationship" and e.get("Id") is not None
    }
    for e in workbook.iter():
        if _local_tag(e.tag) != "sheet":
            continue
        rel_id = None
        for key, value in e.attrib.items():
            if _local_tag(key).rsplit(":", 1)[-1] == "id":
                rel_id = value
        path = targets.get(rel_id)
        name = e.get("name")
        if path is None or name is None:
            continue
        yield name, path[1:] if path.startswith("/") else f"{folder}{path}"


def sheet_parts(
    archive: zipfile.ZipFile, data: bytes, limits: InflateLimits
) -> dict[str, str] | None:
    """Sheet name → part, resolved as calamine resolves it (``_rels/.rels`` names the workbook's
    folder; ``workbook.xml`` and its relationships name the sheets; lookups ignore case).
    None when these parts cannot be read."""
    reader = _PartReader(archive, data, limits)
    root_rels = reader.parse("_rels/.rels")
    if root_rels is None:
        return None
    folder = _workbook_folder(root_rels)
    if folder is None:
        return None
    rels = reader.parse(f"{folder}_rels/workbook.xml.rels")
    workbook = reader.parse(f"{folder}workbook.xml")
    if rels is None or workbook is None:
        return None
    out: dict[str, str] = {}
    for name, path in _sheet_targets(workbook, rels, folder):
        info = reader.infos.get(norm(path))
        out[name] = info.filename if info is not None else path
    return out
