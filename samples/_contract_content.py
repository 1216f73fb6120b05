"""Text of the long sample contract (used by samples/generate.py).

A Master Services Agreement between Northwind Analytics, Inc. and Harbor Freight Logistics
LLC (the agreement the board transcript discusses): hand-written core terms (ARTICLES), then
Schedule 1, one section per Customer site, composed from the clause templates in SITE_CLAUSES
with values drawn from random.Random(SEED). Every site sentence names its site, so no
sentence repeats; generate.py --check asserts that.
"""

from __future__ import annotations

import random

SEED = 20240301
TITLE = "MASTER SERVICES AGREEMENT"
CONTRACT_NO = "NWA-HFL-2024-017"

PREAMBLE = (
    'This Master Services Agreement (the "Agreement") is entered into as of March 1, 2024 (the "Effective '
    'Date") by and between Northwind Analytics, Inc., a Delaware corporation with offices at 1200 Lakeview '
    'Parkway, Suite 400, Austin, Texas 78746 ("Provider"), and Harbor Freight Logistics LLC, a New York limited '
    'liability company with offices at 250 Water Street, 9th Floor, New York, New York 10038 ("Customer").'
)
RECITAL = (
    "Provider offers a cloud-hosted shipment visibility and route optimization platform, and Customer wishes to "
    "use it across the freight forwarding, drayage and warehousing sites it operates in North America and "
    "Europe. The Parties therefore agree as follows."
)

# (article title, [(section heading, text), ...]); sections are numbered n.1, n.2, ... in order.
ARTICLES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Services", [
        ("Platform", 'Provider shall make its shipment visibility and route optimization platform (the "Platform") '
         "available to Customer's employees and contractors whom Customer authorizes (\"Authorized Users\") at each "
         'site listed in Schedule 1 (each a "Site"), in accordance with the service levels in Schedule 2 (the '
         '"Service Levels").'),
        ("Onboarding", "Provider shall bring each Site live on the Platform by the go-live date stated for it in "
         "Schedule 1. Customer may add or remove a Site by a change order signed by both Parties (a \"Change "
         "Order\")."),
        ("Exclusivity", "During the Initial Term Customer shall use Provider as its sole provider of shipment "
         "visibility services for the Sites, except that Customer may keep its existing system at a Site until "
         "that Site's go-live date."),
    ]),
    ("Term and Renewal", [
        ("Initial Term", 'This Agreement begins on the Effective Date and continues for an initial term of three (3) '
         'years (the "Initial Term").'),
        ("Renewal", "Thereafter this Agreement shall automatically renew for successive one (1) year renewal terms "
         "unless either party gives ninety (90) days' written notice of its intention not to renew before the end "
         "of the then-current term."),
    ]),
    ("Fees and Payment", [
        ("Fees", 'Customer shall pay Provider a platform fee of $45,000 per month (the "Monthly Fee") and, for each '
         'Site after its go-live date, the site fee stated in Schedule 1 (the "Site Fee").'),
        ("Implementation", "Customer shall pay an implementation fee of $120,000 in three instalments of $40,000, on "
         "signature, on go-live of the first Site and on go-live of the last Site listed in Schedule 1."),
        ("Invoices", "Provider shall invoice monthly in arrears, and Customer shall pay each undisputed invoice "
         "within net thirty (30) days of receipt. Late amounts bear interest at one and one-half percent (1.5%) "
         "per month or the highest rate permitted by law, if lower."),
        ("Price Increases", "Provider shall not increase the Monthly Fee or any Site Fee during the Initial Term, and "
         "any price increase for a renewal term shall not exceed three percent (3%)."),
        ("Professional Services", "Work outside the Services that Customer requests by Change Order is charged at "
         "$275 per hour."),
        ("Audit", "Once in any twelve-month period and on thirty (30) days' notice, Customer may audit Provider's "
         "books and records relating to the fees charged under this Agreement."),
    ]),
    ("Customer Data and Security", [
        ("Ownership", 'As between the Parties, Customer owns all data that Customer, its Sites or its carriers submit '
         'to the Platform ("Customer Data"), and Provider shall use Customer Data only to provide the Services.'),
        ("Security", "Provider shall maintain a security program that meets ISO/IEC 27001 and shall deliver its SOC 2 "
         "Type II report to Customer each year."),
        ("Security Incidents", "Provider shall notify Customer of any unauthorized access to Customer Data without "
         "undue delay and in any event within seventy-two (72) hours after becoming aware of it."),
        ("European Data", "Customer Data originating at a Site in the European Union shall be hosted and processed "
         "only in data centers in the European Union."),
    ]),
    ("Intellectual Property", [
        ("Platform", "Provider retains all right, title and interest in the Platform and its documentation."),
        ("License", "Provider hereby grants to Customer and its Affiliates a non-exclusive, non-transferable license "
         "to use the Platform during the term of this Agreement for their internal business purposes."),
        ("Custom Reports", "Customer shall own the custom reports that Provider builds for it under a Change Order, "
         "and Provider hereby assigns to Customer all intellectual property rights in them."),
    ]),
    ("Confidentiality", [
        ("Obligations", "Each Party shall protect the other Party's confidential information with at least "
         "reasonable care and use it only to perform this Agreement. These obligations continue for five (5) "
         "years after the expiration or termination of this Agreement."),
    ]),
    ("Warranties and Indemnities", [
        ("Warranty", "Provider warrants that the Platform will perform materially in accordance with its "
         "documentation for ninety (90) days after the go-live date of each Site."),
        ("Disclaimer", "Except as stated in this Agreement, neither Party makes any other warranty, express or "
         "implied, including any warranty of merchantability or fitness for a particular purpose."),
        ("Indemnity", "Provider shall defend Customer against any third-party claim that the Platform infringes a "
         "patent, copyright or trademark in the United States, Canada or the European Union, and shall pay the "
         "damages and costs finally awarded on that claim."),
    ]),
    ("Limitation of Liability", [
        ("Cap", "Except for breach of Article 4 or Article 6 and for indemnification obligations, in no event shall "
         "either party's aggregate liability exceed the fees paid in the twelve (12) months preceding the event "
         "giving rise to the claim."),
        ("Exclusions", "Neither Party is liable for lost profits or for indirect, special or consequential damages, "
         "and nothing in this Agreement limits liability for fraud, gross negligence or willful misconduct."),
    ]),
    ("Insurance", [
        ("Coverage", "Provider shall maintain commercial general liability insurance of $2,000,000 per occurrence "
         "and $5,000,000 in the aggregate, and cyber liability insurance of $10,000,000."),
    ]),
    ("Termination", [
        ("Convenience", "Customer may terminate this Agreement for convenience on one hundred twenty (120) days' "
         "prior written notice to Provider."),
        ("Cause", "Either Party may terminate this Agreement if the other Party materially breaches it and fails to "
         "cure the breach within thirty (30) days after written notice."),
        ("Transition", "For up to six (6) months after termination or expiration, Provider shall continue to provide "
         "the Services and reasonable transition assistance at the rates then in effect."),
    ]),
    ("Restrictive Covenants", [
        ("Non-Solicitation", "During the term of this Agreement and for twelve (12) months after it ends, neither "
         "Party shall solicit for employment any employee of the other Party who worked on the Services."),
        ("Assignment", "Neither Party may assign this Agreement without the other Party's prior written consent, "
         "except to a successor in a merger or a sale of all or substantially all of its assets."),
        ("Change of Control", "If Provider undergoes a change of control in favor of a competitor of Customer, "
         "Customer may terminate this Agreement on sixty (60) days' notice."),
    ]),
    ("General", [
        ("Governing Law", "This Agreement shall be governed by and construed in accordance with the laws of the "
         "State of New York, without regard to its conflict of laws rules, and the Parties submit to the state "
         "and federal courts located in New York County, New York."),
        ("Force Majeure", "Neither Party is liable for a delay caused by events beyond its reasonable control, but "
         "either Party may terminate if such an event prevents performance for sixty (60) consecutive days."),
        ("Entire Agreement", "This Agreement, with its Schedules, is the entire agreement of the Parties on its "
         "subject and may be amended only in a writing signed by both Parties."),
    ]),
]

SIGNATORIES = [("Northwind Analytics, Inc.", "Jonathan R. Meyers", "Chief Executive Officer"),
               ("Harbor Freight Logistics LLC", "Elena Vasquez", "Chief Operating Officer")]

SERVICE_LEVELS = [  # (metric, target, service credit)
    ("Platform availability", "99.9% per calendar month", "5% of the Monthly Fee per 0.1% below target"),
    ("Shipment Visibility (events shown within 15 minutes)", "98% of events", "2% of the affected Site Fee"),
    ("Severity 1 response", "30 minutes, 24x7", "$1,500 per incident"),
    ("Severity 2 response", "2 hours during Site hours", "$500 per incident"),
    ("Monthly report delivery", "By the Business Day stated for the Site", "None"),
]
CREDIT_CAP = ("Service Credits for a month shall not exceed fifteen percent (15%) of the fees for that month and are "
              "Customer's sole monetary remedy for missed Service Levels.")

# Customer's sites: "City, Region", or "Name (City, Region)" where the site is known by a nearby city.
SITES = [entry.strip() for line in """
Newark, New Jersey; Elizabeth, New Jersey; Allentown, Pennsylvania; Baltimore, Maryland; Norfolk, Virginia
Charlotte, North Carolina; Savannah, Georgia; Atlanta (McDonough, Georgia); Jacksonville, Florida
Miami (Doral, Florida); Columbus (Groveport, Ohio); Detroit (Romulus, Michigan); Pittsburgh (Coraopolis, Pennsylvania)
Richmond (Chester, Virginia); Charleston (North Charleston, South Carolina); Cincinnati (Hebron, Kentucky)
Indianapolis (Plainfield, Indiana); Toronto (Mississauga, Ontario); Montreal (Dorval, Quebec); Memphis, Tennessee
Nashville (Lebanon, Tennessee); Chicago (Elk Grove Village, Illinois); Joliet, Illinois
St. Louis (Edwardsville, Illinois); Minneapolis (Shakopee, Minnesota); Kansas City (Edgerton, Kansas)
Dallas (Lancaster, Texas); Houston (Baytown, Texas); Laredo, Texas; El Paso, Texas; Denver (Aurora, Colorado)
Phoenix (Goodyear, Arizona); Ontario, California
Long Beach, California; Oakland, California; Tacoma (Fife, Washington); Vancouver (Delta, British Columbia)
Rotterdam, the Netherlands; Venlo, the Netherlands; Antwerp, Belgium; Hamburg, Germany; Duisburg, Germany
""".strip().splitlines() for entry in line.split(";")]
EU = ("the Netherlands", "Belgium", "Germany")
KINDS = ["distribution center", "cross-dock", "transload facility", "consolidation warehouse", "fulfillment center"]

SPECIAL = [  # what some Sites handle, and the clause that follows from it
    "{Site} handles hazardous materials, so Provider shall carry the UN number and hazard class of each such "
    "shipment through to the Platform's carrier handoff screens.",
    "Because {site} handles temperature-controlled freight, Provider shall display reefer temperature readings "
    "within {mins2} minutes of receipt and flag any reading outside the shipper's set range.",
    "{Site} includes a customs bonded area, and Provider shall show the entry numbers of in-bond shipments only "
    "to Authorized Users whom Customer designates for customs work.",
]
EU_DATA = ("Customer Data from {site} is European data under Section 4.4 and shall be hosted and processed only "
           "in the European Union.")

# Clause templates for each Site, in order; where a template has two wordings, one is drawn per Site.
SITE_CLAUSES = [
    ["{Site} ({code}) is a {kind} of about {sqft:,} square feet in {city}, with {doors} dock doors.",
     "{Site} ({code}) is the {kind} Customer operates in {city}; it has {doors} dock doors and roughly {sqft:,} "
     "square feet of floor space."],
    ["Operations at {site} run from {open} to {close} local time, {days}, and Provider's support desk shall be "
     "staffed for the site throughout those hours.",
     "{Site} works {days} from {open} to {close} local time, and Provider shall meet the Severity 2 response "
     "time in Schedule 2 during those hours and twice that time outside them."],
    ["Customer estimates that {site} will ship about {out:,} outbound loads and receive about {inb:,} inbound "
     "loads per month in the first contract year.",
     "For capacity planning the Parties assume monthly volumes at {site} of {out:,} outbound and {inb:,} inbound "
     "shipments, which Customer shall update each quarter."],
    ["Provider shall bring {site} live on the Platform no later than {golive}, after a parallel run of "
     "{parallel} Business Days against Customer's current tracking system."],
    ["The Site Fee for {site} is {fee} per month, first invoiced for the month after go-live.",
     "Customer shall pay a Site Fee of {fee} per month for {site}, beginning with the first full calendar month "
     "after its go-live date."],
    ["Provider shall build and maintain the interface between the Platform and the {wms} {ver} system at {site}, "
     "polling it at least every {mins} minutes."],
    ["The principal carriers serving {site} are {c1}, {c2} and {c3}, and Provider shall maintain live tracking "
     "feeds for each of them."],
    ["Orders released at {site} after the {cutoff} daily cutoff count toward the following day for Service Level "
     "purposes."],
    ["Provider shall track yard dwell time for all {yard} trailer positions at {site} and alert the site lead "
     "when a trailer has waited more than {dwell} hours."],
    ["Provider shall enable dock appointment scheduling for {appt} of the {doors} doors at {site}, leaving the "
     "rest for unscheduled drayage arrivals."],
    ["Changes at {site} costing no more than {approve} may be approved by Customer's {role} alone; larger changes "
     "require a Change Order."],
    ["Provider shall train up to {trainees} of Customer's staff at {site} in {sessions} sessions held on site or "
     "by video conference, as the site lead prefers."],
    ["Provider shall escalate to Customer's {role2} any exception at {site} left open for longer than {hrs} "
     "hours."],
    ["From {peak1} through {peak2} the Shipment Visibility target at {site} is {pct} of events, and no Service "
     "Credits accrue for the difference from Schedule 2."],
    ["Provider shall deliver the monthly performance report for {site} by the {nth} Business Day of the "
     "following month, covering on-time pickups, dwell time and open exceptions."],
    ["Except for emergency security fixes, no Platform release may go live at {site} during {blackout}."],
    ["Shipment history for {site} stays searchable on the Platform for {keep} months, after which Provider "
     "shall move it to the archive tier at no extra charge."],
]
BLACKOUTS = ["the last three Business Days of each month", "the week of its annual stock count",
             "the first five Business Days of each quarter", "its peak period", "the two weeks before Thanksgiving"]
WMS = ["Manhattan WMOS", "Blue Yonder WMS", "SAP EWM", "Korber K.Motion", "Oracle WMS Cloud", "Infor SCE"]
CARRIERS = ["J.B. Hunt", "Schneider", "Knight-Swift", "XPO", "Old Dominion", "Estes", "Werner", "Landstar",
            "Saia", "ArcBest", "Ryder", "TForce Freight"]
EU_CARRIERS = ["DHL Freight", "DB Schenker", "Kuehne+Nagel", "DSV", "Raben", "GEODIS", "Dachser"]
ROLES = ["Site General Manager", "Operations Manager", "Transportation Manager", "Warehouse Director"]
ESCALATION = ["Regional Operations Director", "Vice President of Transportation", "Chief Operating Officer"]
MONTHS = ["April", "May", "June", "July", "August", "September", "October", "November"]
PEAKS = [("August 1", "October 31"), ("September 1", "November 30"), ("October 1", "December 31")]


def _time(hour: int) -> str:
    return f"{(hour - 1) % 12 + 1}:00 {'a.m.' if hour % 24 < 12 else 'p.m.'}"


def sites() -> list[tuple[str, list[str], int]]:
    """[(heading, sentences, monthly site fee)] for Schedule 1, drawn deterministically from SEED."""
    rng = random.Random(SEED)
    pick = rng.choice
    out = []
    for i, entry in enumerate(SITES):
        name, city = entry[:-1].split(" (") if entry.endswith(")") else (entry.split(",")[0], entry)
        eu = city.endswith(EU)
        doors, fee, peak = rng.randrange(24, 140, 2), rng.randrange(2600, 9800, 50), pick(PEAKS)
        c1, c2, c3 = rng.sample(EU_CARRIERS if eu else CARRIERS, 3)
        v = dict(site=f"the {name} Site", Site=f"The {name} Site", code=f"HFL-{i + 1:02d}",
                 city=city, kind=pick(KINDS), doors=doors, sqft=rng.randrange(60, 900) * 1000,
                 open=_time(pick([0, 4, 5, 6, 7])), close=_time(pick([17, 18, 20, 22, 23])),
                 days=pick(["Monday through Friday", "Monday through Saturday", "seven days a week"]),
                 out=rng.randrange(400, 9000, 10), inb=rng.randrange(300, 7000, 10),
                 golive=f"{MONTHS[i * len(MONTHS) // len(SITES)]} {rng.randrange(1, 29)}, 2024",
                 parallel=pick([5, 10, 15]), fee=f"${fee:,}", wms=pick(WMS),
                 ver=f"{rng.randrange(8, 24)}.{rng.randrange(0, 6)}", mins=pick([2, 5, 10, 15]),
                 mins2=pick([3, 5, 10]), c1=c1, c2=c2, c3=c3, cutoff=_time(pick([13, 14, 15, 16, 17])),
                 yard=rng.randrange(40, 400, 5), dwell=pick([4, 6, 8, 12]), appt=doors * pick([50, 60, 75]) // 100,
                 role=pick(ROLES), role2=pick(ESCALATION), approve=f"${pick([5, 10, 15, 25])},000",
                 trainees=rng.randrange(12, 90), sessions=pick(["two", "three", "four", "six"]),
                 hrs=pick([4, 8, 12, 24]), peak1=peak[0], peak2=peak[1], pct=f"{pick([94, 95, 96, 97])}%",
                 nth=pick(["third", "fifth", "seventh", "tenth"]), keep=pick([13, 18, 24, 36]),
                 blackout=pick(BLACKOUTS[:-1] if eu else BLACKOUTS))  # no Thanksgiving in Europe
        clauses = [pick(wordings) for wordings in SITE_CLAUSES]
        clauses[6:6] = rng.sample(SPECIAL, rng.randrange(0, 3)) + ([EU_DATA] if eu else [])
        out.append((f"{name} Site, {city}", [c.format(**v) for c in clauses], fee))
    return out
