"""The contract as a PDF (A4, Chinese, ReportLab): title and number, the two parties, the goods with their totals in
figures and in capitals, delivery, the template's clauses, and the two signature blocks. The seller's block holds an
empty square where the signature's visible seal goes; where it landed (page and box) is returned with the bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assistant.contracts.fonts import FontFile, register_font
from assistant.contracts.model import Contract, Party
from assistant.contracts.template import Clause, chinese_date, yuan

SEAL_SIZE = 40 * mm  # a company seal is 40 mm across (公章 of a limited company)
_MARGIN = 18 * mm
_INTRO = ("根据《中华人民共和国民法典》及有关法律法规的规定，甲乙双方本着平等自愿、诚实信用的原则，"
          "经协商一致，就乙方向甲方购买下列货物签订本合同，共同遵守。")


@dataclass(frozen=True)
class SealBox:
    """Where the seller's seal goes: a page (0-based) and a box in PDF points (x1, y1, x2, y2)."""

    page: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class RenderedContract:
    pdf: bytes
    seal: SealBox


class _SealPlace(Flowable):  # type: ignore[misc]  # ReportLab ships no type information
    """An empty square in the seller's signature block that remembers where it was drawn."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.width = self.height = size
        self.drawn_at: SealBox | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        x, y = canvas.absolutePosition(0, 0)
        self.drawn_at = SealBox(page=canvas.getPageNumber() - 1,
                                box=(round(x), round(y), round(x + self.width), round(y + self.height)))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, alignment=TA_RIGHT),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "num": ParagraphStyle("num", parent=base, fontSize=9, leading=12, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=9, leading=12, alignment=TA_CENTER),
        "clause": ParagraphStyle("clause", parent=base, fontSize=10.5, leading=16, spaceBefore=6),
        "para": ParagraphStyle("para", parent=base, firstLineIndent=20),
    }


def _plain(value: Decimal) -> str:
    """A quantity without trailing zeros: 20.000 → 20, 1.500 → 1.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(rate: Decimal) -> str:
    return f"{_plain(rate * 100)}%"


def _party_rows(seller: Party, buyer: Party, s: dict[str, ParagraphStyle]) -> list[list[Any]]:
    blank = "________________"

    def row(label: str, left: str | None, right: str | None) -> list[Any]:
        return [Paragraph(label, s["cell"]), Paragraph(left or blank, s["cell"]),
                Paragraph(label, s["cell"]), Paragraph(right or blank, s["cell"])]

    return [
        [Paragraph("甲方(供方)", s["cell"]), Paragraph(seller.name, s["cell"]),
         Paragraph("乙方(需方)", s["cell"]), Paragraph(buyer.name, s["cell"])],
        row("统一社会信用代码", seller.tax_id, buyer.tax_id),
        row("地址", seller.address, buyer.address),
        row("电话", seller.phone, buyer.phone),
        row("开户行", seller.bank, buyer.bank),
        row("账号", seller.account, buyer.account),
        row("联系人", seller.contact or seller.legal_representative, buyer.contact),
    ]


def _items_table(contract: Contract, s: dict[str, ParagraphStyle]) -> Table:
    head = ["序号", "品名", "规格", "单位", "数量", "含税单价(元)", "税率", "金额(元，含税)"]
    rows: list[list[Any]] = [[Paragraph(h, s["head"]) for h in head]]
    for index, line in enumerate(contract.lines, start=1):
        rows.append([Paragraph(str(index), s["head"]), Paragraph(line.product, s["cell"]),
                     Paragraph(line.spec, s["cell"]), Paragraph(line.unit, s["head"]),
                     Paragraph(_plain(line.quantity), s["num"]), Paragraph(yuan(line.unit_price), s["num"]),
                     Paragraph(_percent(line.tax_rate), s["head"]), Paragraph(yuan(line.amount), s["num"])])
    first_total = len(rows)
    for label, value in (("不含税金额", contract.net_total), ("税额", contract.tax_total),
                         ("价税合计(小写)", contract.total)):
        rows.append([Paragraph(label, s["cell"]), "", "", "", "", "", "", Paragraph(f"¥{yuan(value)}", s["num"])])
    in_words = Paragraph(f"人民币{contract.total_in_capitals}", s["cell"])
    rows.append([Paragraph("价税合计(大写)", s["cell"]), "", in_words, "", "", "", "", ""])
    last = len(rows) - 1
    widths = [10 * mm, 30 * mm, 34 * mm, 12 * mm, 18 * mm, 24 * mm, 14 * mm, 32 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                        ("SPAN", (0, last), (1, last)), ("SPAN", (2, last), (-1, last))]
    style += [("SPAN", (0, r), (6, r)) for r in range(first_total, last)]
    table.setStyle(TableStyle(style))
    return table


def _signature_table(contract: Contract, seal: _SealPlace, s: dict[str, ParagraphStyle]) -> Table:
    seller, buyer = contract.seller, contract.buyer
    left = [Paragraph(f"甲方(盖章)：{seller.name}", s["cell"]),
            Paragraph(f"法定代表人或委托代理人：{seller.legal_representative or ''}", s["cell"]), seal,
            Paragraph(f"日期：{chinese_date(contract.signed_on)}", s["cell"])]
    right = [Paragraph(f"乙方(盖章)：{buyer.name}", s["cell"]),
             Paragraph(f"法定代表人或委托代理人：{buyer.contact or ''}", s["cell"]), Spacer(1, SEAL_SIZE),
             Paragraph("日期：________年____月____日", s["cell"])]
    table = Table([[left, right]], colWidths=[87 * mm, 87 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
                               ("LINEAFTER", (0, 0), (0, 0), 0.5, colors.black)]))
    return table


def render_contract(contract: Contract, clauses: tuple[Clause, ...], font: FontFile) -> RenderedContract:
    """The contract's PDF bytes and where its seal goes. Blocking (ReportLab): run it in a worker thread."""
    s = _styles(register_font(font))
    seal = _SealPlace(SEAL_SIZE)
    story: list[Flowable] = [
        Paragraph("购销合同", s["title"]),
        Paragraph(f"合同编号：{contract.number}", s["meta"]),
        Paragraph(f"签订日期：{chinese_date(contract.signed_on)}", s["meta"]),
        Paragraph(f"签订地点：{contract.sign_place or ''}", s["meta"]),
        Spacer(1, 4 * mm),
    ]
    parties = Table(_party_rows(contract.seller, contract.buyer, s), colWidths=[27 * mm, 60 * mm, 27 * mm, 60 * mm])
    parties.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    delivery = contract.delivery_date
    story += [parties, Spacer(1, 4 * mm), Paragraph(_INTRO, s["para"]), Spacer(1, 3 * mm),
              _items_table(contract, s), Spacer(1, 3 * mm),
              Paragraph(f"交货日期：{chinese_date(delivery) if delivery else '双方约定的日期'}　　"
                        f"交货地点：{contract.delivery_place or '乙方指定的地点'}", s["body"])]
    for clause in clauses:
        story.append(Paragraph(clause.heading, s["clause"]))
        story += [Paragraph(text, s["para"]) for text in clause.paragraphs]
    story += [Spacer(1, 6 * mm), KeepTogether([_signature_table(contract, seal, s)])]

    def footer(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(s["body"].fontName, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"合同编号 {contract.number}　第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                                 bottomMargin=_MARGIN, title=f"购销合同 {contract.number}", author=contract.seller.name,
                                 subject=f"{contract.seller.name} / {contract.buyer.name}", creator="Frontline")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    if seal.drawn_at is None:  # cannot happen: the signature block is always drawn
        raise RuntimeError("the seal's place was not laid out")
    return RenderedContract(pdf=out.getvalue(), seal=seal.drawn_at)
