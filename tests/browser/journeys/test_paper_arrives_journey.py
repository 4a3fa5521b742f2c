"""Paper as it really arrives, on the demo: forms posted back folded, faxed by a
GP practice and photographed on a desk, read in one upload.

Dana Price (data@riverside.example) prints the forms due for the peer support
groups. Three come back: one folded in thirds for the post and scanned, one
faxed, one photographed on a phone lying on a checked tablecloth. She uploads the
three files at once. What the reader accepts must be what was marked; each of
the fax's answers waits for her with the reader's suggestion and why (decision
0042), and she types them by keyboard. Every stored answer is checked against
the marks.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from openproms.collection.models import Administration
from openproms.paper.simulate import SCENARIOS
from openproms.scans.models import PrintedForm, ScanBatch, ScanItem, ScanPage
from tests.browser.helpers import check_page, open_from_menu
from tests.browser.journeys.paper_forms import filled

pytestmark = pytest.mark.browser

DPI = 200.0
READING_MS = 180_000
FAX = "this page is black and white at low resolution (a fax?)"
# What each of the three people marked on their ONS4.
MARKED = (
    {
        "ons4_life_satisfaction": 7,
        "ons4_worthwhile": 8,
        "ons4_happiness": 6,
        "ons4_anxiety": 3,
    },
    {
        "ons4_life_satisfaction": 5,
        "ons4_worthwhile": 9,
        "ons4_happiness": 4,
        "ons4_anxiety": 2,
    },
    {
        "ons4_life_satisfaction": 8,
        "ons4_worthwhile": 7,
        "ons4_happiness": 9,
        "ons4_anxiety": 1,
    },
)
# How each came back: the damage, its file and its format.
ARRIVED = (
    ("folded_thirds", "posted-back-folded.png", ".png"),
    ("fax", "fax-from-the-surgery.png", ".png"),
    ("desk_photo", "photo-on-the-table.jpg", ".jpg"),
)


def test_folded_faxed_and_photographed_forms_read_and_checked(
    page, demo, sign_in_as, shot, tmp_path
):
    dana = sign_in_as(page, "data@riverside.example")

    # 1. Print the forms due for the peer support groups.
    page.goto("/")
    open_from_menu(page, "Paper forms")
    page.get_by_role("link", name="Print the forms due").click()
    page.get_by_label("Key worker").select_option(label="Everyone")
    page.get_by_label("Service").select_option(label="Peer support groups")
    page.get_by_role("button", name="Show").click()
    before = set(PrintedForm.objects.values_list("pk", flat=True))
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Print \d+ forms$")).click()
    download.value.save_as(tmp_path / "forms.pdf")
    ons4 = list(
        PrintedForm.objects.exclude(pk__in=before)
        .filter(measure_id="ons4")
        .select_related("service_user", "time_point", "organisation")
        .order_by("pk")
    )[:3]
    assert len(ons4) == 3

    # 2. They come back folded, faxed and photographed on a desk.
    files = []
    for n, (form, marked, (damage, name, _)) in enumerate(
        zip(ons4, MARKED, ARRIVED, strict=True)
    ):
        marks = {item: [(code, "cross")] for item, code in marked.items()}
        (clean,) = filled(form, marks, seed=20 + n, dpi=DPI)
        image = SCENARIOS[damage](clean, np.random.default_rng(40 + n))
        path = tmp_path / name
        params = [cv2.IMWRITE_JPEG_QUALITY, 85] if name.endswith(".jpg") else []
        assert cv2.imwrite(str(path), image, params)
        files.append(str(path))

    # 3. One upload; the batch page says what became of each file.
    page.goto("/")
    open_from_menu(page, "Paper forms")
    page.get_by_role("link", name="Upload the scans or photos").click()
    page.set_input_files("#id_files", files)
    page.get_by_role("button", name="Upload and read").click(timeout=READING_MS)
    page.wait_for_url(re.compile(r"/scans/batches/\d+/$"), timeout=READING_MS)
    batch = ScanBatch.objects.latest("pk")
    assert batch.uploaded_by == dana and batch.status == ScanBatch.Status.DONE
    status = page.get_by_role("status")
    expect(status).to_contain_text("Read: 3 pages", timeout=READING_MS)
    expect(status).to_contain_text("0 pages could not be used")
    expect(page.get_by_text("In all batches:")).to_be_visible()
    body = page.locator("#batch-body")
    for _, name, _ in ARRIVED:
        expect(body.locator("li", has_text=name)).to_contain_text("read")
    table = page.get_by_role("region", name="Pages")
    for form in ons4:
        expect(table).to_contain_text(form.service_user.display_name)
    check_page(page)
    shot(page, "three pages read: folded, faxed, on a desk")

    # What the reader accepted is what was marked; the fax waits for a person.
    truth = {}
    for form, marked, (damage, _, _) in zip(ons4, MARKED, ARRIVED, strict=True):
        scanned = ScanPage.objects.get(batch=batch, form=form)
        items = list(scanned.items.all())
        assert {i.item_id for i in items} == set(marked)
        for item in items:
            truth[item.pk] = marked[item.item_id]
            if not item.needs_person:
                assert item.read_code == marked[item.item_id], (damage, item.item_id)
        if damage == "fax":
            assert all(i.needs_person and i.reason.startswith(FAX) for i in items)

    # 4. Dana checks what waits, by keyboard: the demo's own pile first.
    page.get_by_role("link", name="Start checking").click()
    saw_fax = False
    for _ in range(20):
        page.wait_for_load_state()
        if not re.search(r"/scans/items/\d+/$", page.url):
            break
        item = ScanItem.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
        if item.pk in truth:
            code = truth[item.pk]
            if item.reason.startswith(FAX) and not saw_fax:
                expect(page.locator("figcaption")).to_contain_text("(a fax?)")
                check_page(page)
                shot(page, "a faxed answer to check")
                saw_fax = True
        else:  # the demo's own pile: the person sees the first of the marks
            code = item.candidates[0]
        for key in str(code):
            page.keyboard.press(key)
        expect(page.locator(f"input[name=answer][value='{code}']")).to_be_checked()
        page.keyboard.press("Enter")
        page.wait_for_url(lambda new, was=page.url: new != was)
    assert saw_fax
    shot(page, "the queue done")

    # 5. Every form's answers are stored as marked, from the paper.
    for form, marked in zip(ons4, MARKED, strict=True):
        stored = Administration.objects.get(time_point=form.time_point)
        assert stored.mode == Administration.Mode.PAPER_SCAN
        assert stored.answers == marked
    assert not ScanItem.objects.filter(
        page__batch=batch, decided=False, needs_person=True
    ).exists()
