"""The figures an activity records, each declared once: everything else reads FIGURES.

An activity says how many lượt of cadres and of the people took part, how many workdays
they gave, what they built (a quantity in a unit of measure), how much money was given or
raised, how many households were helped. The summary tables and their triggers, the
report totals, tables, headline, print view and exports, the form, the activity page and
the spreadsheet import all build their part from these declarations, so that a new figure
is one declaration here and one field on the model (plus a migration).

Two counts in the reports are not figures of an activity: the activities themselves (the
first column of every table) and the villages reached (counted distinct, in their own
column between the work done and the money).

No Django here: the load-test users (lamb_binh/tooling/locustfile.py) import it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from activities.numbers import vn_million, vn_number


@dataclass(frozen=True)
class Figure:
    """One figure of an activity. Empty labels take the one before them: `headline_label`
    and `form_label` default to `label`, `import_header` and `detail_label` to `form_label`.
    """

    # Its key in the report totals (totals.cadres) and in the month summary.
    name: str
    # The Activity field and the summary tables' column (activities/stats.py).
    field: str
    column: str
    # The column title of the report tables and exports.
    label: str
    # What is counted, inside a sentence ("Số {noun} quá lớn") and after a bound ("{unit}").
    noun: str
    unit: str
    # The import template's example cell.
    example: object
    # Decimal places of the value; the summary column holds it times `scale`, a whole number.
    places: int = 0
    # A sane upper bound for one outing: the form, the import and the rules refuse more.
    maximum: int | None = None
    # Must be given (the form and the import); otherwise empty means `default`.
    required: bool = False
    default: int | None = 0
    # The form refuses it empty even though it has a default (it starts filled in).
    form_required: bool = False
    is_money: bool = False
    # The Activity field holding the unit of measure, when each activity has its own
    # (output: m, cầu, kg). Such a figure is summed per unit only, never across units.
    unit_field: str = ""
    # The form's message for what is not a number (decimals; counts and money have theirs).
    invalid_message: str = ""
    # After the value on the activity page ("25.000.000 đ").
    symbol: str = ""
    # Said below the import template's column.
    import_help: str = ""
    # A usual range for one outing, for the synthetic data of the demo, the benchmarks and
    # the load test where they do not draw the figure their own way.
    typical: tuple[int, int] | None = None
    headline_label: str = ""
    form_label: str = ""
    import_header: str = ""
    detail_label: str = ""

    def __post_init__(self) -> None:
        for name, fallback in (
            ("headline_label", self.label),
            ("form_label", self.label),
            ("import_header", self.form_label or self.label),
            ("detail_label", self.form_label or self.label),
        ):
            if not getattr(self, name):
                object.__setattr__(self, name, fallback)

    @property
    def scale(self) -> int:
        """What the summary column holds per unit: 10 for tenths of a workday, 100 for
        hundredths of a unit of output; whole numbers add up exactly on every database."""
        return 10**self.places

    @property
    def excel_format(self) -> str:
        """The openpyxl number format: #,##0, or #,##0.0 for one decimal place."""
        return "#,##0" + ("." + "0" * self.places if self.places else "")

    @property
    def totalled(self) -> bool:
        """Summed across activities in the report tables and the headline."""
        return not self.unit_field

    def zero(self) -> int | Decimal:
        return Decimal(0) if self.places else 0

    def from_column(self, stored: int | None) -> int | Decimal:
        """A summary column's (summed) value back in the figure's own unit."""
        if self.places:
            return Decimal(stored or 0) / self.scale
        return stored or 0

    def too_large_message(self) -> str:
        return f"Số {self.noun} quá lớn (tối đa {vn_number(self.maximum)} {self.unit} một lần)."

    def in_report(self, total) -> str:
        """A total as the headline and the summary write it: 1.780; 12,5; money in triệu."""
        return vn_million(total) if self.is_money else vn_number(total)

    @property
    def report_unit(self) -> str:
        """What follows a total in the headline: money is shown in triệu đồng."""
        return "triệu đồng" if self.is_money else ""


# In display order: the tables, the headline, the form, the activity page, the import.
FIGURES: tuple[Figure, ...] = (
    Figure(
        name="cadres",
        field="cadre_participations",
        column="cadres",
        label="Lượt cán bộ, đảng viên",
        noun="lượt cán bộ, đảng viên",
        unit="lượt",
        example=12,
        maximum=1_000,
        required=True,
        default=None,
    ),
    Figure(
        name="people",
        field="people_participations",
        column="people",
        label="Lượt nhân dân",
        noun="lượt nhân dân",
        unit="lượt",
        example=35,
        maximum=20_000,
        form_required=True,
    ),
    Figure(
        name="workdays",
        field="workdays",
        column="workdays_tenths",
        label="Ngày công",
        noun="ngày công",
        unit="ngày công",
        example="47,5",
        places=1,
        maximum=1_000_000,
        form_required=True,
        invalid_message="Nhập số ngày công, ví dụ 12 hoặc 12,5.",
    ),
    Figure(
        name="output",
        field="output_quantity",
        column="output_hundredths",
        label="Khối lượng",
        noun="khối lượng",
        unit="",
        example="120",
        places=2,
        default=None,
        unit_field="output_unit",
        invalid_message="Nhập khối lượng bằng số, ví dụ 120 hoặc 327,65.",
    ),
    Figure(
        name="households",
        field="households_helped",
        column="households",
        label="Số hộ được giúp đỡ",
        noun="hộ được giúp đỡ",
        unit="hộ",
        example=3,
        maximum=500,
        import_help="Số hộ gia đình được giúp trong lần này. Để trống là 0.",
        typical=(0, 5),
    ),
    Figure(
        name="money_contributed",
        field="money_contributed",
        column="money_contributed",
        label="Đóng góp (đồng)",
        headline_label="Đóng góp",
        form_label="Tiền đóng góp (đồng)",
        detail_label="Tiền đóng góp",
        noun="tiền đóng góp",
        unit="đồng",
        example="1.500.000",
        is_money=True,
        symbol="đ",
    ),
    Figure(
        name="money_mobilised",
        field="money_mobilised",
        column="money_mobilised",
        label="Vận động (đồng)",
        headline_label="Vận động",
        form_label="Tiền vận động (đồng)",
        detail_label="Tiền vận động",
        noun="tiền vận động",
        unit="đồng",
        example="5 triệu",
        is_money=True,
        symbol="đ",
    ),
)

_BY_NAME = {f.name: f for f in FIGURES} | {f.field: f for f in FIGURES}

# The Activity fields that hold the figures, each one's unit of measure beside it.
FIELDS = tuple(name for f in FIGURES for name in (f.field, f.unit_field) if name)
# The summary tables' columns of the figures (beside `activities`, the count).
SUMMED = tuple(f.column for f in FIGURES)
# The figures of the report tables and the headline: the work done (before the villages
# reached), then the money.
TOTALLED = tuple(f for f in FIGURES if f.totalled)
WORK = tuple(f for f in TOTALLED if not f.is_money)
MONEY = tuple(f for f in TOTALLED if f.is_money)


def figure(name: str) -> Figure:
    """The figure with this name or Activity field ("cadres", "cadre_participations")."""
    return _BY_NAME[name]


def typical_values(
    draw: Callable[[int, int], int], *, given: Iterable[str]
) -> dict[str, int | None]:
    """Synthetic values of the figures a generator does not draw itself (`given`: their
    fields), by Activity field: `draw(low, high)` over the typical range, else the default.
    """
    skip = set(given)
    return {
        f.field: draw(*f.typical) if f.typical else f.default
        for f in FIGURES
        if f.field not in skip
    }
