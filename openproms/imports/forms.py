"""The import's forms: the file, and what each of its columns holds."""

from __future__ import annotations

from typing import Any

from django import forms

from openproms.imports.mapping import mapping_problems
from openproms.imports.reading import column_letter
from openproms.imports.services import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label="The file to import",
        help_text=(
            "A CSV file or an Excel workbook (.xlsx; its first worksheet is read), "
            "with one heading row. Up to 50 MB."
        ),
        error_messages={"required": "Choose the file to import"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(
                "Choose a CSV file (.csv) or an Excel workbook (.xlsx)"
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB: split it")
        return upload


class ColumnsForm(forms.Form):
    """One choice per column of the file; the whole mapping checked together."""

    def __init__(
        self,
        data: Any,
        *,
        headers: list[str],
        choices: list[tuple[str, str]],
        samples: list[list[str]],
        initial_mapping: dict[str, str],
    ) -> None:
        super().__init__(data)
        self.headers = headers
        for index, heading in enumerate(headers):
            seen = ", ".join(s for s in samples[index] if s)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Column {column_letter(index)}: {heading or '(no heading)'}",
                choices=choices,
                required=False,
                initial=initial_mapping.get(str(index), ""),
                help_text=f"For example: {seen}" if seen else "Empty in the first rows",
            )

    def mapping(self) -> dict[str, str]:
        return {
            str(index): self.cleaned_data.get(f"column_{index}", "") or ""
            for index in range(len(self.headers))
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for problem in mapping_problems(self.mapping(), self.headers):
            self.add_error(None, problem)
        return cleaned
