"""Bad input gets a clear reason on that file or page; the batch carries on."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from openproms.paper import load_pages, read_bytes, read_file, render_pdf
from openproms.paper.cli import main as paper_main
from openproms.scoring import get_measure

from .helpers import layout_for, page_image


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


def _encrypted_pdf() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, encrypt="secret")
    c.drawString(100, 100, "hello")
    c.showPage()
    c.save()
    return buf.getvalue()


def _reasons(data: bytes) -> list[str]:
    return [p.error or "" for p in load_pages(data, "f")]


def test_not_an_image_is_refused_with_a_reason():
    assert "not an image or PDF" in _reasons(b"reference,token\nA,1\n")[0]


def test_empty_file_is_refused():
    assert "empty" in _reasons(b"")[0]


def test_encrypted_pdf_is_refused_with_a_reason():
    assert "encrypted" in _reasons(_encrypted_pdf())[0]


def test_corrupt_pdf_is_refused_with_a_reason():
    pdf = render_pdf([layout_for(get_measure("phq2"))])
    assert "damaged" in _reasons(pdf[: len(pdf) // 3])[0]


def test_decompression_bomb_is_refused_without_decoding_it():
    assert "too large" in _reasons(_png_claiming(40000, 40000))[0]


def test_multipage_tiff_gives_every_frame():
    frames = [Image.fromarray(np.full((50, 40), v, np.uint8)) for v in (10, 200, 30)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    pages = list(load_pages(buf.getvalue(), "t.tif"))
    assert [p.index for p in pages] == [0, 1, 2] and all(
        p.image is not None for p in pages
    )


def test_a_bad_page_does_not_stop_the_batch(tmp_path):
    layout = layout_for(get_measure("phq2"))
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), page_image(layout))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((1169, 827), 255, np.uint8))
    statuses = [r.status for f in (bad, good, blank) for r in read_file(f)]
    assert statuses == ["rejected", "read", "blank"]


def test_pdf_scan_is_read_page_by_page():
    layout = layout_for(get_measure("phq9"))
    readings = list(read_bytes(render_pdf([layout]), "scan.pdf"))
    assert [(r.status, r.page) for r in readings] == [("read", 1), ("read", 2)]


def test_command_line_prints_and_reads(tmp_path, capsys):
    people = tmp_path / "people.csv"
    people.write_text("reference,token\nJS 0423,tok-1\n", encoding="utf-8")
    pdf = tmp_path / "forms.pdf"
    assert (
        paper_main(
            [
                "print",
                "--measure",
                "gad2",
                "--organisation",
                "Org",
                "--people",
                str(people),
                "-o",
                str(pdf),
            ]
        )
        == 0
    )
    out = tmp_path / "out.json"
    assert paper_main(["read", str(pdf), "--json", str(out), "--quiet"]) == 0
    assert (
        "gad2@1 page 1, token tok-1: 2 of 2 items accepted" in capsys.readouterr().out
    )
    assert '"token": "tok-1"' in out.read_text(encoding="utf-8")
    assert (
        paper_main(["print", "--measure", "epds", "-o", str(tmp_path / "x.pdf")]) == 2
    )
