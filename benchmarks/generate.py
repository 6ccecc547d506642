"""Synthetic CCHC graphs of a chosen size, deterministic by seed, for benchmarks.

The graph has the real shape, in the project's vocabulary, so that ``ontology/shapes.ttl`` and the
catalog in ``queries/`` apply to it: provinces, districts and communes (three levels of
``cchc:AdministrativeUnit``), a People's Committee and a People's Council for each, provincial
departments, people holding posts (``org:Membership`` with a ``time:Interval``), legal documents,
yearly index observations per province (PAR INDEX, PCI, SIPAS, PAPI), events with participations,
and Vietnamese labels with diacritics beside English ones. Provinces are added, each with its
districts and communes, until the graph holds the number of triples asked for.

``--errors`` plants mistakes the shapes must find: missing labels, wrong datatypes, a rank above
the number ranked, an interval that ends before it begins, a label not in NFC, a post without a
role, ``cchc:governs`` without ``dct:spatial``, sources that disagree.

    python -m benchmarks.generate --triples 100000 --seed 1 -o /tmp/g100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rdflib import Graph

BASE = "https://w3id.org/cchc/"
ID = BASE + "id/"
C = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/dimension#"
ELI = "http://data.europa.eu/eli/ontology#"
DCT = "http://purl.org/dc/terms/"

SYLLABLES = [
    "Hà",
    "Nội",
    "Hải",
    "Phòng",
    "Đà",
    "Nẵng",
    "Cần",
    "Thơ",
    "Huế",
    "Quảng",
    "Ninh",
    "Bắc",
    "Giang",
    "Lạng",
    "Sơn",
    "Thái",
    "Nguyên",
    "Phú",
    "Thọ",
    "Vĩnh",
    "Phúc",
    "Hưng",
    "Yên",
    "Nam",
    "Định",
    "Thanh",
    "Hóa",
    "Nghệ",
    "An",
    "Tĩnh",
    "Bình",
    "Định",
    "Khánh",
    "Hòa",
    "Lâm",
    "Đồng",
    "Đắk",
    "Lắk",
    "Gia",
    "Lai",
    "Kon",
    "Tum",
    "Long",
    "An",
    "Tiền",
    "Giang",
    "Bến",
    "Tre",
    "Trà",
    "Vinh",
    "Sóc",
    "Trăng",
    "Bạc",
    "Liêu",
    "Cà",
    "Mau",
    "Kiên",
    "Giang",
    "An",
    "Giang",
    "Đồng",
    "Tháp",
    "Tây",
    "Ninh",
    "Bình",
    "Dương",
    "Phước",
    "Lộc",
    "Ninh",
    "Thuận",
    "Hiệp",
    "Hòa",
    "Xuân",
    "Trường",
    "Mỹ",
    "Đức",
]
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
GIVEN = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Quốc",
    "Thanh",
    "Hữu",
    "Ngọc",
    "Xuân",
    "Hồng",
    "Tuấn",
    "Dũng",
    "Hùng",
    "Lan",
    "Hương",
    "Thảo",
]
DEPARTMENTS = (
    ("so-noi-vu", "Sở Nội vụ", "Department of Home Affairs"),
    ("so-tu-phap", "Sở Tư pháp", "Department of Justice"),
    ("so-tai-chinh", "Sở Tài chính", "Department of Finance"),
    ("so-ke-hoach-va-dau-tu", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
)
INDICES = (
    ("par-index", "PAR INDEX", "Chỉ số cải cách hành chính", 0, 100),
    ("pci", "PCI", "Chỉ số năng lực cạnh tranh cấp tỉnh", 0, 100),
    ("sipas", "SIPAS", "Chỉ số hài lòng về sự phục vụ hành chính", 0, 100),
    ("papi", "PAPI", "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh", 0, 80),
)
ROLES = (
    ("chu-tich", "Chủ tịch", "Chairman", "CT"),
    ("pho-chu-tich", "Phó Chủ tịch", "Vice Chairman", "PCT"),
)
YEARS = range(2012, 2024)


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{esc}"@{lang}'
    if datatype:
        return f'"{esc}"^^<{datatype}>'
    return f'"{esc}"'


def _fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return "-".join(plain.lower().split())


class _Writer:
    """Writes triples as N-Triples lines and counts them."""

    def __init__(self, out: TextIO, rng: random.Random, errors: bool, rate: float) -> None:
        self.out = out
        self.rng = rng
        self.errors = errors
        self.rate = rate
        self.count = 0
        self.planted = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> {o} .\n")
        self.count += 1

    def iri(self, s: str, p: str, o: str) -> None:
        self.t(s, p, f"<{o}>")

    def plant(self) -> bool:
        """True (now and then, with --errors) when this entity should carry a planted mistake."""
        if self.errors and self.rng.random() < self.rate:
            self.planted += 1
            return True
        return False

    def labels(self, s: str, vi: str, en: str | None) -> None:
        if self.plant():
            choice = self.rng.randrange(3)
            if choice == 0:
                en = None  # a warning: no English label
            elif choice == 1:
                vi = unicodedata.normalize("NFD", vi)  # combining marks: not NFC
            else:
                self.t(s, RDFS + "label", _lit(vi))  # a label without a language tag
        self.t(s, RDFS + "label", _lit(vi, "vi"))
        if en:
            self.t(s, RDFS + "label", _lit(en, "en"))


def _name(rng: random.Random, words: int = 2) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(words))


def _header(w: _Writer) -> tuple[str, str]:
    """Concepts, schemes, indices, data sets, the nation, the government and the source."""
    scheme = ID + "scheme/role"
    w.iri(scheme, RDF + "type", SKOS + "ConceptScheme")
    w.labels(scheme, "Chức vụ", "Roles")
    for slug, vi, en, alt in ROLES:
        r = ID + "role/" + slug
        for cls in (C + "Role", ORG + "Role", SKOS + "Concept"):
            w.iri(r, RDF + "type", cls)
        w.labels(r, vi, en)
        w.t(r, SKOS + "altLabel", _lit(alt, "vi"))
        w.iri(r, SKOS + "inScheme", scheme)
    for level, vi, en in (
        ("central", "Trung ương", "Central"),
        ("province", "Cấp tỉnh", "Province level"),
        ("district", "Cấp huyện", "District level"),
        ("commune", "Cấp xã", "Commune level"),
    ):
        w.iri(ID + "level/" + level, RDF + "type", SKOS + "Concept")
        w.t(ID + "level/" + level, RDFS + "label", _lit(vi, "vi"))
        w.t(ID + "level/" + level, RDFS + "label", _lit(en, "en"))
    for slug, name, vi, lo, hi in INDICES:
        i, d = ID + "index/" + slug, ID + "dataset/" + slug
        for cls in (C + "PerformanceIndex", C + "Indicator", SKOS + "Concept"):
            w.iri(i, RDF + "type", cls)
        w.labels(i, vi, name)
        w.t(i, SKOS + "altLabel", _lit(name, "vi"))
        w.t(i, C + "scaleMin", _lit(f"{lo}.0", datatype=XSD + "decimal"))
        w.t(i, C + "scaleMax", _lit(f"{hi}.0", datatype=XSD + "decimal"))
        w.iri(i, C + "dataSet", d)
        w.iri(d, RDF + "type", QB + "DataSet")
        w.t(d, RDFS + "label", _lit(name, "vi"))
        w.t(d, RDFS + "label", _lit(name, "en"))
        w.iri(d, C + "indicator", i)
    nation = ID + "country/vn"
    w.iri(nation, RDF + "type", SCHEMA + "Country")
    w.labels(nation, "Việt Nam", "Viet Nam")
    gov = ID + "agency/chinh-phu"
    for cls in (C + "Government", C + "Agency", ORG + "FormalOrganization", ORG + "Organization"):
        w.iri(gov, RDF + "type", cls)
    w.labels(gov, "Chính phủ", "Government")
    w.iri(gov, DCT + "spatial", nation)
    source = ID + "source/synthetic"
    for cls in (C + "Source", SCHEMA + "CreativeWork", SCHEMA + "NewsArticle"):
        w.iri(source, RDF + "type", cls)
    w.labels(source, "Nguồn tổng hợp", "Synthetic source")
    w.t(source, SCHEMA + "datePublished", _lit("2020-10-22", datatype=XSD + "date"))
    other = ID + "source/synthetic-2"
    for cls in (C + "Source", SCHEMA + "CreativeWork"):
        w.iri(other, RDF + "type", cls)
    w.labels(other, "Nguồn tổng hợp thứ hai", "Second synthetic source")
    return gov, source


def _unit(w: _Writer, code: str, level: str, kind_vi: str, name: str, parent: str) -> str:
    u = ID + "unit/" + code
    w.iri(u, RDF + "type", C + "AdministrativeUnit")
    w.iri(u, RDF + "type", SCHEMA + "AdministrativeArea")
    w.labels(u, f"{kind_vi} {name}", f"{name} {level.capitalize()}")
    notation = code if not w.plant() else code + "x"
    w.t(u, SKOS + "notation", _lit(notation))
    w.iri(u, C + "level", ID + "level/" + level)
    w.iri(u, SCHEMA + "containedInPlace", parent)
    return u


def _bodies(
    w: _Writer, unit: str, slug: str, name: str, level: str, parent_body: str, source: str
) -> str:
    """The UBND and HĐND of a unit, and the posts of the UBND; returns the UBND."""
    ubnd, hdnd = ID + "agency/ubnd-" + slug, ID + "agency/hdnd-" + slug
    for body, cls, vi, en, alt in (
        (ubnd, "PeoplesCommittee", "Ủy ban nhân dân", "People's Committee", "UBND"),
        (hdnd, "PeoplesCouncil", "Hội đồng nhân dân", "People's Council", "HĐND"),
    ):
        for t in (C + cls, C + "Agency", ORG + "FormalOrganization", ORG + "Organization"):
            w.iri(body, RDF + "type", t)
        w.labels(body, f"{vi} {name}", f"{en} of {name}")
        w.t(body, SKOS + "altLabel", _lit(f"{alt} {name}", "vi"))
        w.iri(body, C + "level", ID + "level/" + level)
        w.iri(body, C + "governs", unit)
        if not w.plant():
            w.iri(body, DCT + "spatial", unit)
    w.iri(ubnd, ORG + "subOrganizationOf", parent_body)
    for i, (role, _vi, _en, _alt) in enumerate(ROLES):
        _post(w, ubnd, f"{slug}-{i}", ID + "role/" + role, source)
    return ubnd


def _post(w: _Writer, org: str, slug: str, role: str, source: str) -> None:
    rng = w.rng
    person = ID + "person/" + slug
    full = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
    w.iri(person, RDF + "type", FOAF + "Person")
    w.iri(person, RDF + "type", SCHEMA + "Person")
    w.labels(person, full, _fold(full).replace("-", " ").title())
    w.t(person, FOAF + "name", _lit(full, "vi"))
    m = ID + "membership/" + slug
    w.iri(m, RDF + "type", ORG + "Membership")
    w.iri(m, ORG + "member", person)
    w.iri(m, ORG + "organization", org)
    if not w.plant():
        w.iri(m, ORG + "role", role)
    w.iri(m, PROV + "wasDerivedFrom", source)
    w.t(m, C + "quote", _lit(f"ông/bà {full} giữ chức vụ", "vi"))
    start = rng.randrange(2010, 2021)
    end = start + rng.randrange(1, 6)
    if w.plant():
        start, end = end, start  # ends before it begins
    interval = ID + "interval/" + slug
    w.iri(m, ORG + "memberDuring", interval)
    w.iri(interval, RDF + "type", TIME + "Interval")
    for prop, year in (("hasBeginning", start), ("hasEnd", end)):
        instant = f"{ID}instant/{slug}-{'begin' if prop == 'hasBeginning' else 'end'}"
        w.iri(interval, TIME + prop, instant)
        w.iri(instant, RDF + "type", TIME + "Instant")
        w.t(
            instant,
            TIME + "inXSDDate",
            _lit(f"{year}-0{rng.randrange(1, 10)}-15", datatype=XSD + "date"),
        )


def _province(w: _Writer, n: int, gov: str, source: str, provinces: int, target: int) -> None:
    rng = w.rng
    code = f"{n:02d}"
    name = _name(rng) + (f" {n}" if n > 40 else "")
    slug = f"{_fold(name)}-{code}"
    unit = _unit(w, code, "province", "Tỉnh", name, ID + "country/vn")
    ubnd = _bodies(w, unit, slug, name, "province", gov, source)
    for dslug, vi, en in DEPARTMENTS:
        d = f"{ID}agency/{dslug}-{slug}"
        for t in (C + "ProvincialDepartment", C + "Agency", ORG + "FormalOrganization"):
            w.iri(d, RDF + "type", t)
        w.iri(d, RDF + "type", ORG + "Organization")
        w.labels(d, f"{vi} {name}", f"{en} of {name}")
        w.iri(d, ORG + "subOrganizationOf", ubnd)
        _document(w, f"{dslug}-{slug}", d, rng)
    for year in YEARS:
        for idx, _name_en, _vi, lo, hi in INDICES:
            _observation(w, f"{idx}-{code}-{year}", idx, unit, year, lo, hi, provinces, source)
    _event(w, slug, name, ubnd, source)
    for dn in range(1, 11):
        if w.count >= target:
            return
        dcode = f"{code}{dn:03d}"
        dname = _name(rng)
        dunit = _unit(w, dcode, "district", "Huyện", dname, unit)
        dubnd = _bodies(w, dunit, f"{_fold(dname)}-{dcode}", dname, "district", ubnd, source)
        for cn in range(1, 13):
            if w.count >= target:
                return
            ccode = f"{dcode}{cn:02d}"
            cname = _name(rng)
            cunit = _unit(w, ccode, "commune", "Xã", cname, dunit)
            _bodies(w, cunit, f"{_fold(cname)}-{ccode}", cname, "commune", dubnd, source)


def _document(w: _Writer, slug: str, issuer: str, rng: random.Random) -> None:
    doc = ID + "document/" + slug
    w.iri(doc, RDF + "type", C + "LegalDocument")
    w.iri(doc, RDF + "type", ELI + "LegalResource")
    number = f"{rng.randrange(1, 999)}/QĐ-UBND"
    w.labels(doc, f"Quyết định {number}", f"Decision {number}")
    w.t(doc, ELI + "id_local", _lit(number))
    year = rng.choice(YEARS)
    w.t(
        doc,
        ELI + "date_document",
        _lit(f"{year}-0{rng.randrange(1, 10)}-01", datatype=XSD + "date"),
    )
    w.iri(doc, ELI + "passed_by", issuer)
    w.t(doc, ELI + "title", _lit(f"Về cải cách hành chính năm {year}", "vi"))


def _observation(
    w: _Writer, slug: str, idx: str, unit: str, year: int, lo: int, hi: int, out_of: int, src: str
) -> None:
    rng = w.rng
    o = ID + "observation/" + slug
    w.iri(o, RDF + "type", C + "IndexObservation")
    w.iri(o, RDF + "type", QB + "Observation")
    w.iri(o, QB + "dataSet", ID + "dataset/" + idx)
    w.iri(o, SDMX + "refArea", unit)
    w.t(o, SDMX + "refPeriod", _lit(str(year), datatype=XSD + "gYear"))
    score = f"{rng.uniform(lo + (hi - lo) * 0.4, hi * 0.95):.2f}"
    w.t(o, C + "score", _lit(score, datatype=XSD + "decimal"))
    rank = rng.randrange(1, out_of + 1)
    if w.plant():
        choice = rng.randrange(3)
        if choice == 0:
            rank = out_of + 5  # above the number ranked
        elif choice == 1:
            w.t(o, C + "rank", _lit(str(rank)))  # a string, not an integer
        else:  # another source gives another score
            twin = o + "-b"
            w.iri(twin, RDF + "type", C + "IndexObservation")
            w.iri(twin, RDF + "type", QB + "Observation")
            w.iri(twin, QB + "dataSet", ID + "dataset/" + idx)
            w.iri(twin, SDMX + "refArea", unit)
            w.t(twin, SDMX + "refPeriod", _lit(str(year), datatype=XSD + "gYear"))
            w.t(twin, C + "score", _lit(f"{float(score) - 1:.2f}", datatype=XSD + "decimal"))
            w.iri(twin, PROV + "wasDerivedFrom", ID + "source/synthetic-2")
            w.t(twin, C + "quote", _lit(f"đạt {float(score) - 1:.2f} điểm", "vi"))
    w.t(o, C + "rank", _lit(str(rank), datatype=XSD + "integer"))
    w.t(o, C + "rankOutOf", _lit(str(out_of), datatype=XSD + "integer"))
    w.iri(o, PROV + "wasDerivedFrom", src)
    w.t(o, C + "quote", _lit(f"đạt {score} điểm, xếp thứ {rank}", "vi"))


def _event(w: _Writer, slug: str, name: str, organizer: str, source: str) -> None:
    rng = w.rng
    e = ID + "event/hoi-thao-" + slug
    w.iri(e, RDF + "type", C + "Workshop")
    w.iri(e, RDF + "type", SCHEMA + "Event")
    vi = f"Hội thảo cải cách hành chính {name}"
    w.labels(e, vi, f"Administrative reform workshop, {name}")
    w.t(e, SCHEMA + "name", _lit(vi, "vi"))
    w.iri(e, SCHEMA + "organizer", organizer)
    w.t(e, SCHEMA + "startDate", _lit(f"2020-{rng.randrange(1, 13):02d}-20", datatype=XSD + "date"))
    w.iri(e, PROV + "wasDerivedFrom", source)
    w.t(e, C + "quote", _lit(f"hội thảo tại {name}", "vi"))
    p = ID + "participation/" + slug
    w.iri(e, C + "participation", p)
    w.iri(p, RDF + "type", C + "Participation")
    w.iri(p, C + "participant", organizer)
    w.iri(p, PROV + "wasDerivedFrom", source)


def generate(
    out: TextIO, triples: int, *, seed: int = 1, errors: bool = False, rate: float = 0.02
) -> tuple[int, int]:
    """Write a synthetic graph of about ``triples`` triples as N-Triples to ``out``.

    :returns: the number of triples written and of mistakes planted.
    """
    rng = random.Random(seed)
    w = _Writer(out, rng, errors, rate)
    gov, source = _header(w)
    per_province = 17_500  # about: 10 districts of 12 communes, their bodies and posts
    provinces = max(1, -(-triples // per_province))
    n = 0
    while w.count < triples:
        n += 1
        _province(w, n, gov, source, max(provinces, n), triples)
    return w.count, w.planted


def generate_graph(triples: int, *, seed: int = 1, errors: bool = False) -> Graph:
    """A synthetic graph of about ``triples`` triples as an rdflib graph (for small sizes)."""
    import io

    buffer = io.StringIO()
    generate(buffer, triples, seed=seed, errors=errors)
    return Graph().parse(data=buffer.getvalue(), format="nt")


def parse_size(text: str) -> int:
    """``100k``, ``1M``, ``10M`` or a plain number."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="100k", help="how many (100k, 1M, 10M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--errors", action="store_true", help="plant mistakes the shapes find")
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file (default: stdout)")
    args = parser.parse_args(argv)
    size = parse_size(args.triples)
    if args.output is None:
        count, planted = generate(sys.stdout, size, seed=args.seed, errors=args.errors)
    else:
        with args.output.open("w", encoding="utf-8") as out:
            count, planted = generate(out, size, seed=args.seed, errors=args.errors)
    print(f"{count} triples, {planted} mistakes planted", file=sys.stderr)
    return 0


def _iter_sizes(text: str) -> Iterator[int]:
    for part in text.split(","):
        if part.strip():
            yield parse_size(part)


if __name__ == "__main__":
    raise SystemExit(main())
