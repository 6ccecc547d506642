"""Officials and their posts: "Bộ trưởng Bộ Nội vụ Phạm Thị Thanh Trà", "đồng chí Trần Huy
Tuấn - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh, ...".

Vietnamese prose names a post before the person (title, body, name) or after (name, then a list
of titles each with its body, the last body serving those that name none: "Bí thư Đảng ủy, Chủ
tịch Hội đồng Học viện, Học viện Thanh thiếu niên Việt Nam"). A title is a role of the graph's
scheme (``id:scheme/roles``) when the body is of the kind the role belongs to (a Chủ tịch of a
People's Committee or Council, a Bộ trưởng of a ministry); otherwise it is kept as a new role
with the words of the text ("Trưởng ban", "Chủ tịch Hội đồng"). "Nguyên" marks a former post.
A name without a title (a byline, a photo credit) is no post, and a title without a name (the
addressees of a decision: "Giám đốc Sở Nội vụ") makes no membership either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.ingest.gazetteer import Concept, Word, name_key
from kg.ingest.mentions import Analysis, OrgMention, head_at, make_org, name_end, person_at, vi
from kg.ingest.model import Membership, OrgRef, Person, Span

__all__ = ["EXTRA_TITLES", "memberships"]

#: Titles that are no role of the graph's scheme: Vietnamese → (English, head noun of the body
#: the title implies, or None). "Trưởng ban Dân vận" is the head of "Ban Dân vận".
EXTRA_TITLES: dict[str, tuple[str, str | None]] = {
    "Trưởng ban": ("Head", "Ban"),
    "Phó Trưởng ban": ("Deputy Head", "Ban"),
    "Ủy viên": ("Member", None),
    "Tỉnh ủy viên": ("Member of the Provincial Party Committee", None),
    "Thành ủy viên": ("Member of the City Party Committee", None),
    "Huyện ủy viên": ("Member of the District Party Committee", None),
    "Hiệu trưởng": ("Rector", None),
    "Phó Hiệu trưởng": ("Vice-Rector", None),
    "Chủ nhiệm": ("Chairman", None),
    "Phó Chủ nhiệm": ("Vice Chairman", None),
    "Chánh Văn phòng": ("Chief of Office", "Văn phòng"),
    "Phó Chánh Văn phòng": ("Deputy Chief of Office", "Văn phòng"),
    "Chánh án": ("Chief Judge", None),
    "Viện trưởng": ("Director", "Viện"),
    "Phó Viện trưởng": ("Deputy Director", "Viện"),
    "Cục trưởng": ("Director", "Cục"),
    "Phó Cục trưởng": ("Deputy Director", "Cục"),
    "Tổng cục trưởng": ("Director General", "Tổng cục"),
    "Phó Tổng cục trưởng": ("Deputy Director General", "Tổng cục"),
    "Trưởng phòng": ("Head of Division", "Phòng"),
    "Phó Trưởng phòng": ("Deputy Head of Division", "Phòng"),
    "Tổng Bí thư": ("General Secretary", None),
    "Tổng Giám đốc": ("Director General", None),
    "Phó Tổng Giám đốc": ("Deputy Director General", None),
    "Chánh Thanh tra": ("Chief Inspector", "Thanh tra"),
    "Phó Thủ tướng": ("Deputy Prime Minister", None),
    "Chủ tịch nước": ("President", None),
    "Phó Chủ tịch nước": ("Vice President", None),
    "Tổng Thư ký": ("Secretary General", None),
    "Trưởng đoàn": ("Head of Delegation", "Đoàn"),
    "Phó Trưởng đoàn": ("Deputy Head of Delegation", "Đoàn"),
}


def english_title(title: str) -> str | None:
    """The English of a title the scheme lacks, where it can be formed honestly.

    >>> english_title("Trưởng ban"), english_title("Hiệu trưởng"), english_title("Chánh án tỉnh")
    ('Head', 'Rector', None)
    """
    found = EXTRA_TITLES.get(title)
    return found[0] if found else None


#: Titles of the scheme that imply the head noun of their body: "Bộ trưởng Tài chính" is the
#: minister of "Bộ Tài chính".
_ROLE_HEADS = {"bo-truong": "Bộ", "thu-truong": "Bộ", "vu-truong": "Vụ", "pho-vu-truong": "Vụ"}

#: The kinds of body a role of the scheme belongs to (its definition in ontology/concepts.ttl).
_ROLE_KINDS: dict[str, frozenset[str]] = {
    "chu-tich": frozenset({"PeoplesCommittee", "PeoplesCouncil"}),
    "pho-chu-tich": frozenset({"PeoplesCommittee", "PeoplesCouncil"}),
    "pho-chu-tich-thuong-truc": frozenset({"PeoplesCommittee", "PeoplesCouncil"}),
    "bo-truong": frozenset({"Ministry"}),
    "thu-truong": frozenset({"Ministry"}),
    "vu-truong": frozenset({"MinistryDepartment"}),
    "pho-vu-truong": frozenset({"MinistryDepartment"}),
    "thu-tuong": frozenset({"Government"}),
    "pho-thu-tuong": frozenset({"Government"}),
    "bi-thu": frozenset({"PartyCommittee"}),
    "pho-bi-thu": frozenset({"PartyCommittee"}),
    "giam-doc": frozenset({"ProvincialDepartment", ""}),
    "pho-giam-doc": frozenset({"ProvincialDepartment", ""}),
}
#: Roles whose body is implied when the text names none: a Thủ tướng heads the Government.
_IMPLIED = {"thu-tuong": "Government", "pho-thu-tuong": "Government"}
#: Kinds of body that a Giám đốc does not head.
_NOT_DIRECTED = frozenset(
    {
        "PeoplesCommittee",
        "PeoplesCouncil",
        "Ministry",
        "Government",
        "PartyCommittee",
        "MinistryDepartment",
    }
)

_FORMER = {"nguyên"}
_ACADEMIC = re.compile(r"^(?:\s*(?:TS|PGS|GS|ThS|NCS|BS|KS|CN|NGƯT|NGND)\.?\s*)+$")


@dataclass
class _Title:
    first: int
    last: int
    text: str
    role: Concept | None
    head: str | None
    english: str | None = None


def _extra_trie() -> dict[tuple[str, ...], str]:
    return {name_key(t): t for t in EXTRA_TITLES}


_EXTRA = _extra_trie()
_EXTRA_LONGEST = max(len(k) for k in _EXTRA)


def _title_at(a: Analysis, ws: Sequence[Word], i: int) -> _Title | None:
    """The title at ``ws[i]`` (capitalised as titles are): a role of the scheme or another."""
    if i >= len(ws) or not (ws[i].text[:1].isupper()):
        return None
    if vi(ws[i].text) == "quyền" and i + 1 < len(ws) and a.adjacent(ws[i], ws[i + 1]):
        inner = _title_at(a, ws, i + 1)
        if inner is not None:  # "Quyền Chủ tịch": acting, not the post itself
            text = a.text[ws[i].start : ws[inner.last].end]
            base = inner.role.label_en if inner.role is not None else english_title(inner.text)
            return _Title(i, inner.last, text, None, inner.head, f"Acting {base}" if base else None)
    best: _Title | None = None
    found = a.gazetteer.role_names(ws, i)
    if found is not None and all(
        a.adjacent(x, y)
        for x, y in zip(ws[i : found.last], ws[i + 1 : found.last + 1], strict=False)
    ):
        role = found.entries[0]
        text = a.text[ws[i].start : ws[found.last].end]
        short = found.first == found.last and ws[i].all_caps and len(ws[i].text) <= 3
        if not short or ws[i].text in role.names:
            slug = role.iri.rsplit("/", 1)[-1]
            best = _Title(i, found.last, text, role, _ROLE_HEADS.get(slug))
    for n in range(min(_EXTRA_LONGEST, len(ws) - i), 0, -1):
        key = tuple(w.key for w in ws[i : i + n])
        if key in _EXTRA and all(
            a.adjacent(x, y) for x, y in zip(ws[i : i + n - 1], ws[i + 1 : i + n], strict=False)
        ):
            if best is None or i + n - 1 > best.last:
                title = _EXTRA[key]
                best = _Title(
                    i,
                    i + n - 1,
                    a.text[ws[i].start : ws[i + n - 1].end],
                    None,
                    EXTRA_TITLES[title][1],
                )
            break
    return best


def _org_starting(a: Analysis, index: int, k: int) -> OrgMention | None:
    for m in a.orgs[index]:
        if m.first == k:
            return m
    return None


@dataclass
class _Item:
    title: _Title | None
    org: OrgRef | None
    pending: str | None
    former: bool
    last: int


def _org_after(
    a: Analysis, index: int, ws: Sequence[Word], title: _Title
) -> tuple[OrgRef | None, str | None, int]:
    """The body a title names after it: (org, a sub-body waiting for its host, last word)."""
    k = title.last + 1
    if k < len(ws) and not a.adjacent(ws[title.last], ws[k]):
        k = len(ws)
    # "Tỉnh ủy viên": a member of the Party committee the title names
    if (
        title.role is None
        and title.text.lower().endswith("ủy viên")
        and title.text.lower() != "ủy viên"
    ):
        word = title.text.split()[0]
        org = _party(a, word, ws, title)
        return org, None, title.last
    if k < len(ws):
        mention = _org_starting(a, index, k)
        if mention is not None:
            return mention.ref, None, mention.last
        # a body of a body the text names after the list: "Đảng ủy", "Hội đồng Học viện"
        head = head_at(ws, k)
        if head is not None and vi(" ".join(head)) in (
            "đảng ủy",
            "hội đồng",
            "ban giám hiệu",
            "ban giám đốc",
        ):
            last = k + len(head) - 1
            inner = (
                head_at(ws, last + 1)
                if last + 1 < len(ws) and a.adjacent(ws[last], ws[last + 1])
                else None
            )
            if inner is not None:
                last += len(inner)
            return None, f"{ws[k].start}:{ws[last].end}", last
    # the head noun the title implies: "Trưởng Ban Chỉ đạo ...", "Bộ trưởng Tài chính"
    if title.head is not None:
        own = vi(ws[title.last].text) == vi(title.head.split()[-1])
        start = k if k < len(ws) else None
        if start is not None and (ws[start].text[:1].isupper() or own):
            last = name_end(a, ws, start, start)
            if own and last < start:
                last = name_end(a, ws, start + 1, start)
            if last >= start and person_at(a, ws, start) is None:
                name = f"{title.head} {a.text[ws[start].start : ws[last].end]}"
                head = tuple(vi(title.head).split())
                # "... của Chính phủ": the board of another body is named with it
                if last + 2 < len(ws) and ws[last + 1].key == "cua":
                    parent = _org_starting(a, index, last + 2)
                    if parent is not None and parent.ref.resolved and not parent.ref.new:
                        last = parent.last
                        name = f"{title.head} {a.text[ws[start].start : ws[last].end]}"
                ref = make_org(a, ws, start, last, head, name=name)
                if ref is not None:
                    a.mention(ref, Span(ws[start].start, ws[last].end))
                return ref, None, last
    return None, None, title.last


def _party(a: Analysis, word: str, ws: Sequence[Word], title: _Title) -> OrgRef | None:
    span = Span(ws[title.first].start, ws[title.last].end)
    party = f"{word} ủy"
    home = a.home
    if home is not None and word.lower() in ("tỉnh", "thành"):
        from kg.ingest.gazetteer import bare_name

        for agency in a.gazetteer.agencies_of_kind("PartyCommittee"):
            if agency.spatial == home.iri:
                return a.agency_ref(agency, party, span)
        name = f"{party} {bare_name(home.name, home.kind)}"
        return a.new_ref(name, party, span, kinds=("PartyCommittee",), spatial=home, alt=party)
    return a.new_ref(
        party,
        party,
        span,
        kinds=("PartyCommittee",),
        unresolved="the text does not say which province's Party committee this is",
    )


def _items(a: Analysis, index: int, ws: Sequence[Word], k: int) -> list[_Item]:
    """The titles listed after a person's name, from word ``k`` (after "," or "-")."""
    items: list[_Item] = []
    while k < len(ws):
        former = vi(ws[k].text) in _FORMER
        start = k + 1 if former else k
        title = _title_at(a, ws, start)
        if title is not None:
            org, pending, last = _org_after(a, index, ws, title)
            items.append(_Item(title, org, pending, former, last))
        else:
            mention = _org_starting(a, index, start)
            if mention is None or former:
                break
            items.append(_Item(None, mention.ref, None, False, mention.last))
            last = mention.last
        nxt = last + 1
        if nxt >= len(ws):
            break
        gap = a.gap(ws[last], ws[nxt]).strip()
        if gap != ",":
            break
        k = nxt
    return items


def _role_for(a: Analysis, title: _Title, org: OrgRef | None) -> tuple[Concept | None, str]:
    """The scheme's role when the body is of its kind, else None and the title to keep."""
    if title.role is None:
        return None, _canonical_title(title.text)
    slug = title.role.iri.rsplit("/", 1)[-1]
    kinds = _org_kinds(a, org)
    allowed = _ROLE_KINDS.get(slug)
    if org is None or allowed is None:
        return title.role, title.role.label_vi
    if "" in allowed and not kinds & _NOT_DIRECTED:
        return title.role, title.role.label_vi
    if kinds & allowed:
        return title.role, title.role.label_vi
    head = (org.label or org.written).split()
    noun = (
        " ".join(head[:2])
        if vi(" ".join(head[:2])) in ("hội đồng", "ủy ban", "liên đoàn")
        else head[0]
    )
    return None, f"{title.role.label_vi} {noun}"


def _canonical_title(text: str) -> str:
    text = " ".join(text.split())
    key = name_key(text)
    for title in EXTRA_TITLES:
        if name_key(title) == key:
            return title
    return text


def _org_kinds(a: Analysis, org: OrgRef | None) -> frozenset[str]:
    if org is None:
        return frozenset()
    if org.new or not org.resolved:
        return frozenset(org.kinds)
    item = a.gazetteer.by_iri.get(org.iri)
    if item is not None and hasattr(item, "kinds"):
        return frozenset(item.kinds)
    if "/agency/ubnd" in org.iri:
        return frozenset({"PeoplesCommittee"})
    if "/agency/hdnd" in org.iri:
        return frozenset({"PeoplesCouncil"})
    return frozenset()


def _implied(a: Analysis, title: _Title, span: Span) -> OrgRef | None:
    if title.role is None:
        return None
    kind = _IMPLIED.get(title.role.iri.rsplit("/", 1)[-1])
    if kind is None:
        return None
    for agency in a.gazetteer.agencies_of_kind(kind):
        return a.agency_ref(agency, title.text, span)
    return None


def _make(
    a: Analysis, index: int, person: Person, items: list[_Item], quote: Span
) -> list[Membership]:
    out = []
    host: OrgRef | None = None
    for item in reversed(items):
        if item.org is not None and (item.title is None or host is None):
            host = item.org if item.title is None or host is None else host
    for item in items:
        if item.title is None:
            continue
        org = item.org
        title = item.title
        if org is None and item.pending is not None and host is not None:
            start, end = (int(x) for x in item.pending.split(":"))
            words_ = a.text[start:end]
            if vi(words_).startswith("hội đồng"):
                # "Chủ tịch Hội đồng Học viện": a post of the academy, as the title says it
                org = host
                title = _Title(title.first, title.last, f"{title.text} {words_}", None, None)
            else:
                org = _hosted(a, words_, host, Span(start, end))
        if org is None and item.pending is None and host is not None and title.role is None:
            org = host
        if org is None:
            org = _implied(a, title, Span(quote.start, quote.end))
        role, name = _role_for(a, title, org)
        english = title.english or (None if role is not None else english_title(name))
        m = Membership(
            person, name, role, org, quote, former=item.former, attested=a.day, title_en=english
        )
        if org is None:
            m.unresolved.append("the text does not say which body this post belongs to")
        elif not org.resolved:
            m.unresolved.append(org.unresolved or "the body is not resolved")
        out.append(m)
    return out


def _hosted(a: Analysis, pending: str, host: OrgRef, span: Span) -> OrgRef:
    """ "Đảng ủy" + "Học viện Thanh thiếu niên Việt Nam": the sub-body of the host body."""
    host_name = host.label or host.written
    ws = pending.split()
    host_words = host_name.split()
    if len(ws) > 1 and vi(ws[-1]) == vi(host_words[0]):
        name = " ".join(ws[:-1] + host_words)  # "Hội đồng Học viện" + "Học viện ..." → one
    elif len(ws) > 2 and vi(" ".join(ws[-2:])) == vi(" ".join(host_words[:2])):
        name = " ".join(ws[:-2] + host_words)
    else:
        name = f"{pending} {host_name}"
    kinds = ("PartyCommittee",) if vi(pending).startswith("đảng ủy") else ()
    if not host.resolved:
        return a.mention(
            a.new_ref(name, pending, span, kinds=kinds, unresolved=host.unresolved), span
        )
    spatial = a.gazetteer.unit(host.spatial) if host.spatial else None
    ref = a.new_ref(name, pending, span, kinds=kinds, spatial=spatial, parent=host.iri or None)
    return a.mention(ref, span)


def memberships(a: Analysis) -> list[Membership]:
    """Every post the text shows a named person holding (or having held)."""
    found: list[Membership] = []
    for index, sentence in enumerate(a.sentences):
        ws = a.words[index]
        quote = Span(sentence.start, sentence.end)
        used: set[int] = set()
        # name, then titles: "Trần Huy Tuấn - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"
        for first, last, person in a.persons[index]:
            k = last + 1
            if k >= len(ws):
                continue
            gap = a.gap(ws[last], ws[k]).strip()
            if gap not in (",", "-", "–", "—"):
                continue
            items = _items(a, index, ws, k)
            if any(item.title is not None for item in items):
                found.extend(_make(a, index, person, items, quote))
                used.update(range(first, items[-1].last + 1))
        # title, body, name: "Bộ trưởng Bộ Nội vụ Phạm Thị Thanh Trà"
        k = 0
        while k < len(ws):
            if k in used:
                k += 1
                continue
            former = vi(ws[k].text) in _FORMER
            title = _title_at(a, ws, k + 1 if former else k)
            if title is None:
                k += 1
                continue
            org, pending, last = _org_after(a, index, ws, title)
            person_found = None
            if last + 1 < len(ws) and a.adjacent(ws[last], ws[last + 1]):
                person_found = person_at(a, ws, last + 1, cued=True)
            if person_found is None:
                k = last + 1
                continue
            end, person = person_found
            item = _Item(title, org, pending, former, last)
            found.extend(_make(a, index, person, [item], quote))
            used.update(range(k, end + 1))
            k = end + 1
    return _merge(found)


def _merge(found: list[Membership]) -> list[Membership]:
    """One membership per person, post and body: later mentions of a post already found, and
    mentions that leave out the body of a post found with it, are dropped."""
    out: list[Membership] = []
    for m in found:
        key = _key(m)
        if any(_key(o) == key for o in out):
            continue
        if m.organization is None and any(
            o.person.name == m.person.name and name_key(o.title) == name_key(m.title) for o in out
        ):
            continue
        out.append(m)
    # a post first met without its body, then with it: keep the one with the body
    return [
        m
        for m in out
        if m.organization is not None
        or not any(
            o.person.name == m.person.name
            and name_key(o.title) == name_key(m.title)
            and o.organization is not None
            for o in out
        )
    ]


def _key(m: Membership) -> tuple[str, tuple[str, ...], str]:
    org = m.organization
    where = "" if org is None else (org.iri or "?" + " ".join(name_key(org.written)))
    return m.person.name, name_key(m.title), where
