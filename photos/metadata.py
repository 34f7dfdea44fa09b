"""What a picture's embedded metadata says about it, read once before it is thrown away.

Agency pictures carry their caption, credit and copyright in IPTC (the old binary block in
a JPEG's APP13 segment) or XMP (an XML packet). Those prefill the library's fields; every
other field (GPS position, camera serial numbers, owner names, EXIF, XMP, IPTC as a whole)
is left behind when the picture is re-encoded (photos/checks.py), which keeps only its
colour profile, and of that only the numbers colour needs (colour_only_profile).
"""

import struct
import xml.etree.ElementTree as ET

from PIL import IptcImagePlugin

# IPTC IIM record 2 datasets, and the XMP properties meaning the same, in order of preference.
IPTC = {
    "caption": [(2, 120)],  # Caption/Abstract
    "credit": [(2, 110), (2, 80)],  # Credit, then By-line
    "copyright_notice": [(2, 116)],
}
NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
XMP = {
    "caption": ["dc:description"],
    "credit": ["photoshop:Credit", "dc:creator"],
    "copyright_notice": ["dc:rights"],
}


def read_credits(image):
    """{"caption", "credit", "copyright_notice"}: what the picture says of itself, "" if nothing.

    IPTC first (what wire services fill), then XMP.
    """
    iptc = _iptc(image)
    xmp = _xmp(image)
    found = {}
    for name in IPTC:
        values = [iptc.get(key, "") for key in IPTC[name]]
        values += [xmp.get(prop, "") for prop in XMP[name]]
        found[name] = next((value for value in values if value), "")
    return found


def _iptc(image):
    try:
        block = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception:  # a damaged IPTC block is no reason to refuse the picture
        return {}
    found = {}
    for key, value in block.items():
        if isinstance(value, list):  # repeated datasets (several bylines)
            value = b", ".join(value)
        found[key] = _text(value)
    return found


def _xmp(image):
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not packet:
        return {}
    if isinstance(packet, bytes):
        packet = _text(packet)
    try:
        # ElementTree resolves no external entities, so a hostile packet cannot reach files.
        root = ET.fromstring(packet.strip().strip("\x00"))
    except ET.ParseError:
        return {}
    found = {}
    for props in XMP.values():
        for prop in props:
            prefix, local = prop.split(":")
            qualified = f"{{{NS[prefix]}}}{local}"
            for element in root.iter(qualified):
                # Either plain text, or an rdf:Alt/Seq/Bag of rdf:li (language versions, authors).
                items = [li.text or "" for li in element.iter(f"{{{NS['rdf']}}}li")]
                text = ", ".join(i.strip() for i in items if i.strip()) or (element.text or "")
                if text.strip():
                    found[prop] = text.strip()
                    break
            else:
                attribute = root.find(f".//*[@{qualified}]")
                if attribute is not None:
                    found[prop] = attribute.get(qualified).strip()
    return found


def _text(value):
    if isinstance(value, str):
        return value.strip()
    try:
        return value.decode("utf-8").strip()
    except UnicodeDecodeError:
        # Older IPTC blocks are Latin-1 unless they say otherwise.
        return value.decode("latin-1").strip()


# The tags a colour transform reads, for matrix/curve and table-based profiles alike
# (ICC.1:2022 section 9.2), all numbers. Everything else a profile may hold is left behind:
# its description, the device's maker and model ("Jane's iPhone"), copyright, measurement
# targets, calibration notes, and vendors' private tags.
COLOUR_TAGS = frozenset(
    tag.encode()
    for tag in (
        "wtpt bkpt chad chrm lumi cicp gamt rXYZ gXYZ bXYZ rTRC gTRC bTRC kTRC "
        "A2B0 A2B1 A2B2 B2A0 B2A1 B2A2 D2B0 D2B1 D2B2 D2B3 B2D0 B2D1 B2D2 B2D3 pre0 pre1 pre2"
    ).split()
)
# Header fields colour does not need, by byte range: the preferred CMM, the date the
# profile was made (when a device was calibrated), platform, the device's maker, model and
# media, the profile's creator and its checksum. Each becomes "none" (zeros), except the
# date, which Pillow cannot read as zeros: every stored profile carries the same one.
HEADER_CLEARED = [(4, 8), (40, 44), (48, 64), (80, 100)]
FIXED_DATE = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
DESCRIPTION = "Colour profile"
COPYRIGHT = "No copyright information"


def colour_only_profile(icc_profile):
    """The profile with only what colour needs: its header and the tags in COLOUR_TAGS, plus
    the two text tags every profile must have, with neutral words. None if it is malformed.

    Expects a profile LittleCMS has just written (photos/checks.py), so its tag table is
    well formed; anything that does not add up is refused rather than guessed at.
    """
    if len(icc_profile) < 132:
        return None
    (count,) = struct.unpack(">I", icc_profile[128:132])
    if 132 + 12 * count > len(icc_profile):
        return None
    kept = []
    for i in range(count):
        tag, offset, size = struct.unpack(">4sII", icc_profile[132 + 12 * i : 144 + 12 * i])
        if offset + size > len(icc_profile):
            return None
        if tag in COLOUR_TAGS:
            kept.append((tag, offset, size))
    version = icc_profile[8]
    tags = [(tag, icc_profile[offset : offset + size]) for tag, offset, size in kept]
    tags += [
        (b"desc", _mluc(DESCRIPTION) if version >= 4 else _text_description(DESCRIPTION)),
        (b"cprt", _mluc(COPYRIGHT) if version >= 4 else b"text\0\0\0\0" + _ascii(COPYRIGHT)),
    ]
    header = bytearray(icc_profile[:128])
    for start, end in HEADER_CLEARED:
        header[start:end] = bytes(end - start)
    header[24:36] = FIXED_DATE
    return _assemble(bytes(header), tags)


def _assemble(header, tags):
    """A profile from its header and (signature, data) tags; tags with the same data (the
    three curves of an sRGB profile) share it, as LittleCMS wrote them."""
    table_end = 128 + 4 + 12 * len(tags)
    body = bytearray()
    placed = {}
    entries = []
    for tag, data in tags:
        if data not in placed:
            body += bytes(-(table_end + len(body)) % 4)  # each tag starts on 4 bytes
            placed[data] = table_end + len(body)
            body += data
        entries.append(struct.pack(">4sII", tag, placed[data], len(data)))
    body += bytes(-len(body) % 4)
    size = table_end + len(body)
    return (
        struct.pack(">I", size)
        + header[4:]
        + struct.pack(">I", len(tags))
        + b"".join(entries)
        + bytes(body)
    )


def _ascii(text):
    return text.encode("ascii") + b"\0"


def _mluc(text):
    """multiLocalizedUnicodeType (ICC v4): one English record."""
    utf16 = text.encode("utf-16-be")
    return b"mluc\0\0\0\0" + struct.pack(">II2s2sII", 1, 12, b"en", b"US", len(utf16), 28) + utf16


def _text_description(text):
    """textDescriptionType (ICC v2): the ASCII text, with empty Unicode and ScriptCode parts."""
    ascii_text = _ascii(text)
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 3 + 67)
