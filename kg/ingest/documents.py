"""Legal and administrative documents: "Quyết định số 141/QĐ-UBND ngày 14/01/2021 của UBND
tỉnh", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;".

A document is named by its number (``eli:id_local``: "30/2018/QĐ-UBND", "18-NQ/TW", written
"60- NQ/TW" too) or, for laws and programmes that have none in the text, by its title. Its type
comes from the words before the number ("Tờ trình số ..."), else from the type code inside the
number (QĐ, NĐ, KH; a number without one is a công văn, as Vietnamese numbering has it). Its
date is the one written right after its number: in "Nghị định số 88/2017/NĐ-CP ngày 27 tháng
7 năm 2017 ... sửa đổi ... Nghị định số 56/2015/NĐ-CP ngày 09 tháng 6 năm 2015" each decree
keeps its own, and the amending one ``eli:amends`` the other. Its issuer is the body written
after it ("của Chính phủ"), before it ("UBND tỉnh ban hành ..."), or the proposer of a list
("Theo đề nghị của Sở Nội vụ tại Tờ trình ..., Công văn ..."); failing those, the body the
number's suffix names when the graph knows that abbreviation (CP, QH, UBND of the home
province). A legal text's own number ("Số: 4851/KH-UBND") is the document the text *is*; what
it lists after "Căn cứ" is its legal basis (``eli:based_on``), anything else it names it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.ingest.gazetteer import name_key
from kg.ingest.mentions import DOC_NUMBER, Analysis, OrgMention
from kg.ingest.model import Document, DocumentType, OrgRef, Span
from kg.ingest.numbers import find_dates
from kg.namespaces import resource, slugify

__all__ = ["EXTRA_TYPES", "documents"]

#: Document types the graph's scheme does not have: label → (slug, English label, code).
EXTRA_TYPES: dict[str, tuple[str, str, str | None]] = {
    "Tờ trình": ("to-trinh", "Submission", "TTr"),
    "Báo cáo": ("bao-cao", "Report", "BC"),
    "Báo cáo thẩm định": ("bao-cao", "Report", "BCTĐ"),
    "Hướng dẫn": ("huong-dan", "Guidance", "HD"),
    "Kết luận": ("ket-luan", "Conclusion", "KL"),
    "Hiến pháp": ("hien-phap", "Constitution", None),
    "Chương trình": ("chuong-trinh", "Programme", None),
    "Đề án": ("de-an", "Scheme", None),
    "Pháp lệnh": ("phap-lenh", "Ordinance", None),
    "Bộ luật": ("bo-luat", "Code", None),
}

_TYPE_WORDS = (
    "Báo cáo thẩm định|Nghị quyết|Nghị định|Quyết định|Chỉ thị|Kế hoạch|Thông tư|Bộ luật|Luật|"
    "Công văn|Thông báo|Tờ trình|Báo cáo|Hướng dẫn|Kết luận|Đề án|Chương trình|Pháp lệnh|Hiến pháp"
)
#: A type word and what may stand between it and the number: a law's title, "số", "số:".
_BEFORE = re.compile(
    r"(?P<type>"
    + _TYPE_WORDS
    + r")(?P<title>(?:\s+[^\s;.,()\d][^\s;.()]*){0,12}?)\s*(?:số\s*:?\s*)?$",
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"\b(?P<type>Bộ luật|Luật|Hiến pháp|Pháp lệnh|Nghị quyết|Chương trình)\s+"
    r"(?P<title>(?:Đại hội|về|tổng thể|nước|[A-ZĐÀ-Ỹ])[^;\n]*?)"
    r"(?=\s+(?:ngày|số)\b|\s+năm\s+\d{4}|[;.()]|\s+của\s|$|\n"
    r"|,\s*(?:nhiệm kỳ|Nghị quyết|Luật|Chương trình|Quyết định))"
)
_SOURCE_CUE = re.compile(r"(?:^|\|)\s*(?:[\w ]{0,20}\s)?[Ss]ố\s*:\s*$")
_CODES = {
    "NQ": "nghi-quyet",
    "NĐ": "nghi-dinh",
    "QĐ": "quyet-dinh",
    "CT": "chi-thi",
    "KH": "ke-hoach",
    "TT": "thong-tu",
    "TB": "thong-bao",
}


@dataclass
class _Number:
    id_local: str
    start: int
    end: int
    code: str
    year: str | None


def _numbers(text: str, offset: int) -> list[_Number]:
    out = []
    for m in DOC_NUMBER.finditer(text):
        if m.group("num"):
            year = m.group("year")
            ident = f"{m.group('num')}/{year + '/' if year else ''}{m.group('code')}"
            out.append(_Number(ident, offset + m.start(), offset + m.end(), m.group("code"), year))
        else:
            ident = f"{m.group('pnum')}-{m.group('pcode')}/{m.group('porg')}"
            out.append(_Number(ident, offset + m.start(), offset + m.end(), m.group("pcode"), None))
    return out


def _type(a: Analysis, word: str | None, code: str) -> DocumentType:
    g = a.gazetteer
    if word:
        label = word[:1].upper() + word[1:].lower()
        concept = g.document_type(label)
        if concept is not None:
            return DocumentType(concept.iri, concept.label_vi, concept.label_en)
        for extra, (slug, en, _code) in EXTRA_TYPES.items():
            if name_key(extra) == name_key(label):
                return DocumentType(
                    str(resource("document-type", slug)),
                    extra.split()[0]
                    + (
                        " " + extra.split()[1]
                        if len(extra.split()) > 1 and slug != "bao-cao"
                        else ""
                    ),
                    en,
                    new=True,
                )
    first = re.split(r"[-/]", code)[0]
    if first in _CODES or first.upper() in {k.upper() for k in _CODES}:
        concept = g.document_type(first)
        if concept is not None:
            return DocumentType(concept.iri, concept.label_vi, concept.label_en)
    for extra, (slug, en, extra_code) in EXTRA_TYPES.items():
        if extra_code and first == extra_code:
            return DocumentType(
                str(resource("document-type", slug)),
                extra if slug != "bao-cao" else "Báo cáo",
                en,
                new=True,
            )
    concept = g.document_type("Công văn")
    if concept is not None and not re.fullmatch(r"[A-ZĐ]+\d+", first):
        return DocumentType(concept.iri, concept.label_vi, concept.label_en)
    return DocumentType(str(resource("document-type", "van-ban")), "Văn bản", "Document", new=True)


def _org_at_char(a: Analysis, index: int, start: int, *, within: int = 0) -> OrgMention | None:
    """The organisation mention beginning at (or within ``within`` characters after) ``start``."""
    best = None
    for m in a.orgs[index]:
        if start <= m.start <= start + within and (best is None or m.start < best.start):
            best = m
    return best


def _org_ending(a: Analysis, index: int, end: int, *, within: int = 3) -> OrgMention | None:
    for m in a.orgs[index]:
        if end - within <= m.end <= end:
            return m
    return None


def _suffix_issuer(a: Analysis, code: str, span: Span) -> OrgRef | None:
    """The issuer the number's suffix names, when the graph knows it: "-CP", "QH14", "-UBND"."""
    suffix = code.rsplit("-", 1)[-1] if "-" in code else code
    suffix = re.sub(r"\d+$", "", suffix)
    if suffix in ("UBND", "HĐND") and a.home is not None:
        return a.body_ref(a.home, "ubnd" if suffix == "UBND" else "hdnd", suffix, span)
    if suffix in ("QH",):
        named = a.gazetteer.agencies_named("Quốc hội")
        if named:
            return a.agency_ref(named[0][0], suffix, span)
        return None
    if suffix in ("UBTVQH",):
        named = a.gazetteer.agencies_named("Ủy ban Thường vụ Quốc hội")
        if named:
            return a.agency_ref(named[0][0], suffix, span)
        return a.new_ref("Ủy ban Thường vụ Quốc hội", suffix, span)
    if len(suffix) >= 2:
        for agency in a.gazetteer.agencies:
            if suffix in agency.names:
                return a.agency_ref(agency, suffix, span)
    return None


def documents(a: Analysis) -> list[Document]:
    """Every document the text names, once each (see the module docstring)."""
    found: list[Document] = []
    text = a.text
    for index, sentence in enumerate(a.sentences):
        quote = Span(sentence.start, sentence.end)
        basis = bool(re.match(r"\s*Căn\s+cứ\b", sentence.text))
        proposer: OrgRef | None = None
        m = re.search(r"đề\s+nghị\s+của\s+", sentence.text)
        if m is not None:
            found_org = _org_at_char(a, index, sentence.start + m.end(), within=30)
            if found_org is not None:
                proposer = found_org.ref
        numbers = _numbers(sentence.text, sentence.start)
        for k, number in enumerate(numbers):
            before_start = numbers[k - 1].end if k > 0 else sentence.start
            before = text[max(before_start, number.start - 120) : number.start]
            tm = _BEFORE.search(before)
            word = tm.group("type") if tm else None
            title = None
            if tm and word and word.lower() in ("luật", "bộ luật") and tm.group("title").strip():
                title = f"{word} {tm.group('title').strip()}"
            doc_type = _type(a, word, number.code)
            is_source = bool(
                _SOURCE_CUE.search(text[max(sentence.start, number.start - 30) : number.start])
            )
            # its date: written right after its number
            after_end = numbers[k + 1].start if k + 1 < len(numbers) else sentence.end
            after = text[number.end : after_end]
            date = date_written = None
            last = number.end
            for found_date in find_dates(after[:80]):
                between = after[: found_date.start]
                if re.fullmatch(r"[\s,|]*(?:[^\d,|;]{0,40},\s*)?ngày\s*", between) and (
                    found_date.year is not None or found_date.day is not None
                ):
                    date = found_date.date
                    date_written = None if date else found_date.written
                    last = number.end + found_date.end
                break
            if date is None and date_written is None and is_source:
                date = a.day
            # "Ngày 14/01/2021, UBND tỉnh ban hành Quyết định số 141/QĐ-UBND"
            if date is None and date_written is None:
                lead = re.match(
                    r"\s*Ngày\s*(?P<date>[^,]{3,25}),\s*[^,;]{0,60}?\bban\s+hành\s+(?:\S+\s+){0,3}$",
                    text[sentence.start : number.start],
                )
                if lead is not None:
                    dates = find_dates(lead.group("date"))
                    if dates:
                        date = dates[0].date
                        date_written = None if date else dates[0].written
            # its issuer
            issuer = None
            rest = text[last:after_end]
            cm = re.match(
                r"\s*(?:,\s*)?của\s+(?:(?:Giám đốc|Chủ tịch|Thủ tướng|Bộ trưởng)\s+)?", rest
            )
            if cm is not None:
                mention = _org_at_char(a, index, last + cm.end(), within=2)
                if mention is not None:
                    issuer = mention.ref
            if issuer is None:
                bm = re.search(
                    r"(?:\s(?:đã|vừa))?\s+ban\s+hành\s+(?:\S+\s+){0,3}$",
                    text[before_start : number.start],
                )
                if bm is not None:
                    mention = _org_ending(a, index, before_start + bm.start(), within=2)
                    if mention is not None:
                        issuer = mention.ref
            if (
                issuer is None
                and proposer is not None
                and number.start > sentence.start + (m.start() if m else 0)
            ):
                issuer = proposer
            if issuer is None and is_source and a.orgs:
                for mentions in a.orgs[: index + 1]:
                    if mentions:
                        issuer = mentions[0].ref
                        break
            if issuer is None:
                issuer = _suffix_issuer(a, number.code, Span(number.start, number.end))
            relation = "based_on" if basis else "cites"
            doc = Document(
                number.id_local,
                title,
                doc_type,
                quote,
                Span(number.start, number.end),
                date=date,
                date_written=date_written,
                issuer=issuer,
                relation=None if is_source else relation,
                is_source=is_source,
                key="n:" + _number_key(number.id_local),
            )
            # "sửa đổi, bổ sung ... của Nghị định số 56/2015/NĐ-CP": the amending document
            if k + 1 < len(numbers) and re.search(
                r"sửa\s+đổi", text[number.end : numbers[k + 1].start]
            ):
                doc.amends = "n:" + _number_key(numbers[k + 1].id_local)
            found.append(doc)
        found.extend(_named(a, index, quote, numbers, basis))
    return _merge(found)


def _number_key(ident: str) -> str:
    return re.sub(r"\s+", "", ident).upper().replace("Đ", "D")


def _named(
    a: Analysis, index: int, quote: Span, numbers: list[_Number], basis: bool
) -> list[Document]:
    """Documents named by their title only: laws, the Constitution, programmes, resolutions of
    congresses. A title inside another document's description ("ban hành Chương trình ...") is
    part of that one, not a document the text cites."""
    sentence = a.sentences[index]
    out = []
    for m in _NAMED.finditer(sentence.text):
        start = sentence.start + m.start()
        end = sentence.start + m.end()
        if any(n.start <= start < n.end or start <= n.start < end for n in numbers):
            continue
        if re.match(r"\s+số\s*:?\s*\d", a.text[end : end + 12]):
            continue  # "Luật Tổ chức Quốc hội số 57/2014/QH13": named by its number
        if m.group("type") in ("Chương trình",) and not m.group("title").startswith("tổng thể"):
            continue
        if any(n.end <= start for n in numbers):
            between = a.text[max(n.end for n in numbers if n.end <= start) : start]
            if ";" not in between:
                continue  # in the description of a numbered document
        if re.search(
            r"\b(?:ban hành|thực hiện|về)\s*$", a.text[max(sentence.start, start - 20) : start]
        ):
            continue
        word, title = m.group("type"), m.group("title").strip()
        if word == "Nghị quyết" and not (title.startswith("Đại hội") or title.startswith("về")):
            continue
        full = f"{word} {title}"
        doc_type = _type(a, word, "")
        after = a.text[end : end + 60]
        date = date_written = None
        year = None
        for found_date in find_dates(after):
            if re.fullmatch(r"\s*ngày\s*", after[: found_date.start]):
                date = found_date.date
                date_written = None if date else found_date.written
            break
        ym = re.match(r"\s+năm\s+(\d{4})", after)
        if ym is not None:
            year = ym.group(1)
        issuer = None
        if word == "Nghị quyết" and title.startswith("Đại hội"):
            # "Nghị quyết Đại hội Đảng bộ tỉnh ...": the resolution of that body's congress
            inside = [o for o in a.orgs[index] if start <= o.start and o.end <= end]
            if inside:
                issuer = inside[0].ref
        pm = (
            None
            if issuer is not None
            else re.search(
                r"(?:\s(?:đã|vừa))?\s+(?:thông\s+qua|ban\s+hành)\s+$",
                a.text[sentence.start : start],
            )
        )
        if pm is not None:
            mention = _org_ending(a, index, sentence.start + pm.start(), within=2)
            if mention is not None:
                issuer = mention.ref
        key = (
            "t:"
            + " ".join(name_key(full))
            + (f":{date.year}" if date else f":{year}" if year else "")
        )
        out.append(
            Document(
                None,
                full,
                doc_type,
                quote,
                Span(start, end),
                date=date,
                date_written=date_written,
                year=int(year) if year else None,
                issuer=issuer,
                relation="based_on" if basis else "cites",
                key=key,
            )
        )
    return out


def _merge(found: list[Document]) -> list[Document]:
    """One document per number (or title): the first mention, completed by later ones."""
    by_key: dict[str, Document] = {}
    for doc in found:
        known = by_key.get(doc.key)
        if known is None:
            by_key[doc.key] = doc
            continue
        known.is_source = known.is_source or doc.is_source
        if known.is_source:
            known.relation = None
        elif known.relation != "based_on" and doc.relation == "based_on":
            known.relation = "based_on"
        if known.date is None and doc.date is not None:
            known.date, known.date_written = doc.date, None
        if known.issuer is None:
            known.issuer = doc.issuer
        if known.amends is None:
            known.amends = doc.amends
        if known.title is None:
            known.title = doc.title
        if known.year is None:
            known.year = doc.year
    return list(by_key.values())


def document_slug(doc: Document, a: Analysis) -> str:
    """The slug of a document's IRI: its number (with the issuer's province and the year when
    the number does not make it unique), or its title and year."""
    if doc.id_local:
        slug = slugify(doc.id_local.replace("Đ", "D").replace("đ", "d"))
        local = doc.issuer is not None and doc.issuer.resolved and _is_local(a, doc.issuer)
        has_year = bool(re.match(r"^\d+[a-z]?/\d{4}/", doc.id_local))
        if local and doc.issuer is not None:
            code = _area_code(a, doc.issuer)
            if code:
                slug += f"-{code}"
        if not has_year and doc.date is not None and local:
            slug += f"-{doc.date.year}"
        return slug
    title = slugify(doc.title or "van-ban")[:70].strip("-")
    year = doc.date.year if doc.date else doc.year
    return f"{title}-{year}" if year and not title.endswith(str(year)) else title


def _is_local(a: Analysis, org: OrgRef) -> bool:
    return _area_code(a, org) is not None


def _area_code(a: Analysis, org: OrgRef) -> str | None:
    """The code of the unit a body serves: a UBND's or HĐND's unit, or an agency's province."""
    unit = a.gazetteer.governed(org.iri)
    if unit is None:
        spatial = org.spatial or getattr(a.gazetteer.by_iri.get(org.iri), "spatial", None)
        unit = a.gazetteer.unit(spatial) if spatial else None
    return unit.code if unit is not None else None
