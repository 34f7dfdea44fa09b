"""What a picture's embedded metadata says about it, read once before it is thrown away.

Agency pictures carry their caption, credit and copyright in IPTC (the old binary block in
a JPEG's APP13 segment) or XMP (an XML packet). Those prefill the library's fields; every
other field (GPS position, camera serial numbers, owner names, EXIF, XMP, IPTC as a whole)
is left behind when the picture is re-encoded (photos/checks.py), which keeps only its
colour profile.
"""

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
