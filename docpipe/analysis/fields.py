"""The fields we extract, and the code that finds candidate sentences for each.

Code finds, the model judges: every field has patterns that propose candidate units with a
normalised value where the form allows one (ISO date, jurisdiction, amount, notice period);
the model then chooses among the candidates. A field with no candidate anywhere in the
document is reported as "not found", never as an empty value.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from docpipe.analysis import injection
from docpipe.domain import DocumentKind, Span, Unit

from docpipe.analysis.normalize import (
    find_amount, find_date, find_duration, find_jurisdiction, find_parties, find_due,
)

Extractor = Callable[[str, Span], dict | None]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    question: str  # the short instruction the model sees
    pattern: re.Pattern
    max_picks: int = 1  # how many sentences the model may choose per chunk
    extract: Extractor | None = None  # normalised value and extras from the sentence
    early_pages: int | None = None  # only look in the first N pages (preamble fields)
    group: str = "main"  # the focused pass that asks about this field
    cuad: str | None = None  # the CUAD category this field answers
    required: bool = False  # a chosen sentence must yield a value (checked, retried once)
    value_only: bool = False  # offer only sentences that hold a value: one without a date cannot state a date

    @property
    def min_picks(self) -> int:
        """Required fields must pick a sentence; any other may answer "none of these"."""
        return 1 if self.required else 0


def _rx(*words: str) -> re.Pattern:
    return re.compile("|".join(words), re.IGNORECASE)


def _date(text, span):
    found = find_date(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _law(text, span):
    found = find_jurisdiction(text)
    return {"value": found, "normalized": found} if found else None


def _duration(text, span):
    found = find_duration(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _amount(text, span):
    found = find_amount(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _parties(text, span):
    names = find_parties(text)
    return {"value": "; ".join(names), "normalized": "; ".join(names)} if names else None


def _date_or_duration(text, span):
    return _date(text, span) or _duration(text, span)


_SUBJECT = re.compile(r"^\W*(?:(?:Each|Either|The|Such)\s+)?([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+(?:shall|must|agrees?|will|is responsible)\b")


def _obligation(text, span):
    """Who owes the obligation: the capitalised subject before 'shall' ('The Supplier shall')."""
    match = _SUBJECT.search(text)
    return {"value": None, "extra": {"party": match.group(1)}} if match else None


def _action(text, span):
    owner = None
    match = re.match(r"\s*(?:So,?\s+|And\s+|Okay,?\s+)?([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:will|is going to|'ll|needs to|to)\b", text)
    if match and match.group(1) not in {"We", "You", "They", "It", "That", "This", "There"}:
        owner = match.group(1)
    elif re.search(r"\bI(?:'ll| will| am going to|'m going to)\b", text):
        owner = span.speaker
    due = find_due(text)
    return {"value": None, "extra": {"owner": owner or span.speaker, "due": due}}


# Contract fields: the broad fields a brief needs (parties, dates, term, termination, law,
# payment, liability, obligations, risks) and one field per CUAD category (41; ``cuad`` names
# it). ``group`` is the focused pass that asks about the field: a few related questions per
# prompt, every pass over a chunk sharing the chunk's evaluated tokens.
_C = FieldSpec
CONTRACT_FIELDS = (
    # -- pass "core": who, when, which law
    _C("document_name", "Which line is the title of the agreement?",
       re.compile(r"^\W*(?:[A-Z0-9&,.'-]+ ){0,8}(AGREEMENT|CONTRACT|LICEN[CS]E|AMENDMENT)\b"),
       extract=None, early_pages=2, group="core", cuad="Document Name", required=True),
    _C("parties", "Which sentence names the parties to the agreement?",
       _rx(r"\bby and between\b", r"\bbetween\b.{3,200}\band\b", r"\bthe parties\b"),
       extract=_parties, early_pages=3, group="core", cuad="Parties", required=True),
    _C("agreement_date", "Which sentence states the date the agreement was made or signed?",
       _rx(r"dated as of", r"entered into (as of|on)", r"made (and entered into )?(as of|on|this)", r"\bday of\b"),
       extract=_date, early_pages=3, group="core", cuad="Agreement Date", required=True, value_only=True),
    _C("effective_date", "Which sentence states the effective date?",
       _rx(r"effective (as of|date|on)", r"dated as of", r"entered into (as of|on)", r"made (as of|on)",
           r"\bcommenc"),
       extract=_date, group="core", cuad="Effective Date", required=True, value_only=True),
    _C("expiration_date", "Which sentence states when the agreement expires or its initial term ends?",
       _rx(r"\bexpir", r"\binitial term\b", r"\bterm of (this|the) agreement\b", r"\buntil\b.{0,40}\d{4}"),
       extract=_date_or_duration, group="core", cuad="Expiration Date", value_only=True),
    _C("governing_law", "Which sentence states the governing law?",
       _rx(r"governed by", r"governing law", r"construed in accordance with", r"laws of the state of"),
       extract=_law, group="core", cuad="Governing Law", required=True, value_only=True),
    # -- pass "term": how long, how it renews, how it ends
    _C("term_and_renewal", "Which sentences state how long the agreement lasts and how it renews?",
       _rx(r"\b(initial )?term of\b", r"\brenew", r"shall (continue|remain) in (full )?(force|effect)",
           r"\bexpir"), max_picks=2, extract=_duration, group="term"),
    _C("renewal_term", "Which sentence says the agreement renews automatically, and for how long?",
       _rx(r"\bautomatic(ally)? renew", r"\brenew(ed|al)? for\b", r"successive .{0,30}(terms?|periods?)",
           r"\bextended for\b"), extract=_duration, group="term", cuad="Renewal Term"),
    _C("notice_period_to_terminate_renewal", "Which sentence sets the notice needed to stop a renewal?",
       _rx(r"notice of (its|their) (intent|intention|election) (not )?to renew", r"\bnon-?renewal\b",
           r"prior to the (end|expiration) of the (then[- ]current|initial|renewal) term"),
       extract=_duration, group="term", cuad="Notice Period To Terminate Renewal"),
    _C("termination", "Which sentences say how the agreement can be terminated?",
       _rx(r"\bterminat"), max_picks=2, extract=_duration, group="term"),
    _C("termination_for_convenience", "Which sentence lets a party terminate without cause, for convenience?",
       _rx(r"for (its )?convenience", r"without cause", r"for any (or no )?reason", r"at any time.{0,60}terminat",
           r"terminat.{0,80}at any time"), extract=_duration, group="term", cuad="Termination For Convenience"),
    _C("post_termination_services", "Which sentence requires services or supply to continue after termination?",
       _rx(r"(after|following|upon) (the )?(termination|expiration).{0,80}(continue|transition|wind[- ]down|supply|sell)",
           r"\btransition (services|period|assistance)\b", r"\bwind[- ]down\b", r"\bsell[- ]off\b"),
       group="term", cuad="Post-Termination Services"),
    # -- pass "money": payment, sharing, commitments, audit
    _C("payment", "Which sentences state fees, prices or payment terms?",
       _rx(r"\$\s?\d", r"\bfees?\b", r"\bpayment", r"\binvoice", r"\bnet \d+", r"\bprice"),
       max_picks=2, extract=_amount, group="money"),
    _C("revenue_profit_sharing", "Which sentence shares revenue or profit, or sets royalties?",
       _rx(r"\broyalt", r"\bprofit(s)? (share|sharing|split)", r"\brevenue share", r"percent(age)? of (net|gross)",
           r"% of (net|gross)", r"\bcommission"), extract=_amount, group="money", cuad="Revenue/Profit Sharing"),
    _C("price_restrictions", "Which sentence limits price changes?",
       _rx(r"\bprice (increase|adjustment|change)s?\b", r"(may|shall) not (increase|raise|change) (the )?price",
           r"prices? (shall|will) (remain|be) fixed", r"\bprice protection\b"),
       extract=_amount, group="money", cuad="Price Restrictions"),
    _C("minimum_commitment", "Which sentence sets a minimum purchase or sales commitment?",
       _rx(r"\bminimum (purchase|order|quantity|volume|commitment|annual|sales|royalt)", r"\bat least\b.{0,40}(units|\$)",
           r"\btake[- ]or[- ]pay\b"), extract=_amount, group="money", cuad="Minimum Commitment"),
    _C("volume_restriction", "Which sentence caps or limits the volume a party may buy or sell?",
       _rx(r"\b(maximum|cap on|not (to )?exceed)\b.{0,40}(units|volume|quantit|orders?)", r"\bvolume (limit|restriction|cap)"),
       group="money", cuad="Volume Restriction"),
    _C("audit_rights", "Which sentence gives a party the right to audit or inspect books and records?",
       _rx(r"\baudit", r"\binspect.{0,40}(books|records)", r"\bbooks and records\b"),
       group="money", cuad="Audit Rights"),
    # -- pass "restrictions": competition, exclusivity, assignment, control
    _C("most_favored_nation", "Which sentence promises terms at least as good as those given to others?",
       _rx(r"most favou?red", r"no less favou?rable", r"(better|more favou?rable) (terms|prices?) (than|to)",
           r"\bequal to or better\b"), group="restrictions", cuad="Most Favored Nation"),
    _C("non_compete", "Which sentence stops a party from competing?",
       _rx(r"non-?compet", r"shall not.{0,60}compet", r"\bcompeting (products?|business)", r"\bcompetitive products?\b"),
       group="restrictions", cuad="Non-Compete"),
    _C("competitive_restriction_exception", "Which sentence makes an exception to a non-compete or exclusivity?",
       _rx(r"notwithstanding.{0,80}(compet|exclusiv)", r"(compet|exclusiv).{0,80}(shall not apply|except|provided, however)"),
       group="restrictions", cuad="Competitive Restriction Exception"),
    _C("exclusivity", "Which sentence grants exclusive rights or requires exclusive dealing?",
       _rx(r"\bexclusiv", r"\bsole (supplier|distributor|provider|source)"), group="restrictions", cuad="Exclusivity"),
    _C("no_solicit_of_customers", "Which sentence stops a party from soliciting the other's customers?",
       _rx(r"solicit.{0,60}customers?", r"customers?.{0,60}solicit"), group="restrictions",
       cuad="No-Solicit Of Customers"),
    _C("no_solicit_of_employees", "Which sentence stops a party from hiring or soliciting the other's employees?",
       _rx(r"solicit.{0,60}(employees?|personnel)", r"\b(hire|employ).{0,60}employees? of", r"\bno[- ]hire\b"),
       group="restrictions", cuad="No-Solicit Of Employees"),
    _C("non_disparagement", "Which sentence forbids disparaging the other party?",
       _rx(r"disparag", r"\bdefam", r"negative (statements?|comments?)"), group="restrictions",
       cuad="Non-Disparagement"),
    _C("rofr_rofo_rofn", "Which sentence gives a right of first refusal, first offer or first negotiation?",
       _rx(r"right of first (refusal|offer|negotiation)", r"\bfirst right to\b", r"\bROF[RON]\b"),
       group="restrictions", cuad="Rofr/Rofo/Rofn"),
    _C("change_of_control", "Which sentence deals with a change of control, merger or sale of a party?",
       _rx(r"change (of|in) control", r"\bmerger\b", r"acqui(red|sition) (of|by)", r"sale of (all|substantially all)"),
       group="restrictions", cuad="Change Of Control"),
    _C("anti_assignment", "Which sentence limits assigning or transferring the agreement?",
       _rx(r"\bassign", r"\btransfer (this|the) agreement"), group="restrictions", cuad="Anti-Assignment"),
    # -- pass "ip": ownership and licences
    _C("ip_ownership_assignment", "Which sentence says who owns intellectual property created, or assigns it?",
       _rx(r"(shall|will) (be the (sole and )?exclusive )?(own|property)", r"hereby assigns?", r"\bsole(ly)? own",
           r"\btitle to\b.{0,60}(intellectual property|invention|work product)"),
       group="ip", cuad="Ip Ownership Assignment"),
    _C("joint_ip_ownership", "Which sentence makes intellectual property jointly owned?",
       _rx(r"\bjointly own", r"\bjoint(ly)? (owned|ownership|invention|property)", r"\bco-?own"),
       group="ip", cuad="Joint Ip Ownership"),
    _C("license_grant", "Which sentence grants a licence?",
       _rx(r"hereby grants?", r"grants? to .{0,80}licen[cs]e", r"\blicen[cs]e to (use|make|sell|practice)"),
       group="ip", cuad="License Grant"),
    _C("non_transferable_license", "Which sentence makes a licence non-transferable?",
       _rx(r"non-?transferable", r"non-?assignable", r"may not (be )?(sub)?licen[cs]e", r"non-?sublicen[cs]able"),
       group="ip", cuad="Non-Transferable License"),
    _C("affiliate_license_licensor", "Which sentence licenses rights from the licensor's affiliates?",
       _rx(r"licensor.{0,60}affiliates?", r"affiliates? of (the )?licensor"), group="ip",
       cuad="Affiliate License-Licensor"),
    _C("affiliate_license_licensee", "Which sentence extends the licence to the licensee's affiliates?",
       _rx(r"licensee.{0,60}affiliates?", r"affiliates? of (the )?licensee", r"(and|or) its affiliates? (to|may) (use|make|sell)"),
       group="ip", cuad="Affiliate License-Licensee"),
    _C("unlimited_all_you_can_eat_license", "Which sentence grants unlimited use or unlimited copies?",
       _rx(r"\bunlimited\b", r"all[- ]you[- ]can[- ]eat", r"enterprise[- ]wide"), group="ip",
       cuad="Unlimited/All-You-Can-Eat-License"),
    _C("irrevocable_or_perpetual_license", "Which sentence makes a licence irrevocable or perpetual?",
       _rx(r"\birrevocabl", r"\bperpetual"), group="ip", cuad="Irrevocable Or Perpetual License"),
    _C("source_code_escrow", "Which sentence puts source code in escrow?",
       _rx(r"\bescrow", r"\bsource code\b"), group="ip", cuad="Source Code Escrow"),
    # -- pass "liability": caps, damages, warranties, insurance
    _C("liability", "Which sentences limit liability or set indemnities?",
       _rx(r"\bliabilit", r"\bindemnif", r"consequential damages", r"in no event"),
       max_picks=2, extract=_amount, group="liability"),
    _C("cap_on_liability", "Which sentence caps a party's liability at an amount?",
       _rx(r"(aggregate|total|maximum) liability", r"liability.{0,80}(shall not|not to|in no event) exceed",
           r"\bcap on liability\b", r"limited to (the )?(amount|fees|\$)"),
       extract=_amount, group="liability", cuad="Cap On Liability"),
    _C("uncapped_liability", "Which sentence leaves some liability unlimited or outside the cap?",
       _rx(r"(shall not|will not) (apply|limit).{0,80}(liabilit|indemnif|breach of confidential|gross negligence|willful)",
           r"\bunlimited liability\b", r"exclusions? (from|to) (the )?(limitation|cap)"),
       group="liability", cuad="Uncapped Liability"),
    _C("liquidated_damages", "Which sentence sets liquidated damages or a fixed penalty?",
       _rx(r"liquidated damages", r"\bpenalt(y|ies)\b", r"\bbreak[- ]?up fee", r"\btermination fee"),
       extract=_amount, group="liability", cuad="Liquidated Damages"),
    _C("warranty_duration", "Which sentence states how long a warranty lasts?",
       _rx(r"\bwarrant(y|ies)\b.{0,100}\b(days?|months?|years?)\b", r"\bwarranty period\b"),
       extract=_duration, group="liability", cuad="Warranty Duration"),
    _C("insurance", "Which sentence requires a party to carry insurance?",
       _rx(r"\binsurance", r"\binsured\b"), extract=_amount, group="liability", cuad="Insurance"),
    _C("covenant_not_to_sue", "Which sentence stops a party from suing or challenging rights?",
       _rx(r"not to sue", r"(shall|will) not (sue|bring|challenge|contest)", r"covenants? not"),
       group="liability", cuad="Covenant Not To Sue"),
    _C("third_party_beneficiary", "Which sentence names or excludes third-party beneficiaries?",
       _rx(r"third[- ]party beneficiar"), group="liability", cuad="Third Party Beneficiary"),
    # -- pass "overview": what the brief needs most
    _C("key_obligations", "Which sentences state the most important obligations of a party?",
       _rx(r"\bshall\b", r"\bmust\b", r"\bagrees? to\b", r"\bis responsible for\b"), max_picks=3,
       extract=_obligation, group="overview"),
    _C("risks", "Which sentences describe the main risks: exclusivity, penalties, breach, non-compete?",
       _rx(r"\bexclusiv", r"\bpenalt", r"liquidated damages", r"non-?compet", r"\bmaterial breach",
           r"\bdefault\b", r"most favou?red", r"change (of|in) control", r"\bwaive"),
       max_picks=2, group="overview"),
)

TRANSCRIPT_FIELDS = (
    # -- pass "outcomes": what was decided and who does what
    FieldSpec("decisions", "Which sentences state a decision that was made?",
              _rx(r"\bdecided\b", r"\bdecision\b", r"\bwe (all )?agree", r"\bagreed\b", r"\bgo with\b",
                  r"\bsettled on\b", r"\bapproved?\b", r"\bwe'?ll (use|have|go)\b"), max_picks=2,
              group="outcomes"),
    FieldSpec("action_items", "Which sentences assign a task to someone?",
              _rx(r"\bwill (send|prepare|draft|review|circulate|follow|get|look|check|email|call|schedule|update|work)",
                  r"\b(I|you|he|she|we)'ll\b", r"\baction item", r"\bneeds? to\b", r"\bby (monday|tuesday|wednesday|thursday|friday|tomorrow|next week|the end of)"),
              max_picks=2, extract=_action, group="outcomes"),
    # -- pass "discussion": topics, open questions, notable statements
    FieldSpec("topics", "Which sentences introduce a new topic of discussion?",
              _rx(r"\bagenda\b", r"\bnext (item|topic|point|question)\b", r"\bmove on\b", r"\blet'?s (talk|discuss|turn)",
                  r"\bturn(ing)? to\b", r"\bdiscuss", r"\btopic\b"), max_picks=2, group="discussion"),
    FieldSpec("open_questions", "Which questions were left open or unanswered?",
              _rx(r"\b(not sure|don'?t know|unclear|open question|to be determined|tbd|find out|still need)\b",
                  r"\b(what|how|who|when|whether|should)\b[^.?!]{0,150}\?\s*$"), max_picks=2, group="discussion"),
    FieldSpec("key_statements", "Which sentences are the most important statements or concerns?",
              _rx(r"\bimportant\b", r"\bconcern", r"\bproblem\b", r"\brisk", r"\bcritical\b", r"\bmust\b",
                  r"\bquestion\b", r"\bkey\b"), max_picks=2, group="discussion"),
)

FIELDS = {DocumentKind.CONTRACT: CONTRACT_FIELDS, DocumentKind.TRANSCRIPT: TRANSCRIPT_FIELDS}
SPECS = {spec.name: spec for spec in CONTRACT_FIELDS + TRANSCRIPT_FIELDS}
CUAD_FIELDS = {spec.cuad: spec.name for spec in CONTRACT_FIELDS if spec.cuad}


def groups(kind: DocumentKind) -> dict[str, tuple[FieldSpec, ...]]:
    """The focused passes for a kind, in order, each with its fields."""
    out: dict[str, list[FieldSpec]] = {}
    for spec in FIELDS[kind]:
        out.setdefault(spec.group, []).append(spec)
    return {name: tuple(specs) for name, specs in out.items()}
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Candidate:
    field: str
    unit_id: int
    value: str
    normalized: str | None
    extra: dict


def find_candidates(spec: FieldSpec, units: list[Unit], spans: list[Span]) -> list[Candidate]:
    """Units that match the field's patterns, best first, at most MAX_CANDIDATES."""
    scored = []
    for unit in units:
        span = spans[unit.span_index]
        if spec.early_pages and span.page is not None and span.page > spec.early_pages:
            continue
        text = injection.clean(unit.text)  # never a value from text written to the model
        hits = len(spec.pattern.findall(text)) if text else 0
        if not hits:
            continue
        got = spec.extract(text, span) if spec.extract else None
        # a sentence with an extractable value is a better candidate than a keyword hit
        score = hits + (3 if got and got.get("value") else 0)
        scored.append((-score, unit.id, unit, got or {}))
    scored.sort(key=lambda item: (item[0], item[1]))
    out = []
    for _, _, unit, got in scored[:MAX_CANDIDATES]:
        out.append(Candidate(field=spec.name, unit_id=unit.id,
                             value=got.get("value") or clip(injection.clean(unit.text)),
                             normalized=got.get("normalized"), extra=got.get("extra", {})))
    return sorted(out, key=lambda c: c.unit_id)


def clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
