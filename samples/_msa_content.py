"""Hand-written text of the sample Master Services Agreement (used by samples/generate.py).

generate.py lays these out with reportlab and pads each article and exhibit with extra
sections produced from the seeded clause grammar in _msa_grammar.py.  Every value that
tests may rely on lives in FACTS and appears verbatim in the text below.
"""

from __future__ import annotations

FACTS = {
    "title": "Master Services Agreement",
    "contract_number": "NWA-HFL-2024-017",
    "effective_date": "March 1, 2024",
    "provider": "Northwind Analytics, Inc.",
    "provider_desc": "a Delaware corporation",
    "provider_address": "1200 Lakeview Parkway, Suite 400, Austin, Texas 78746",
    "customer": "Harbor Freight Logistics LLC",
    "customer_desc": "a New York limited liability company",
    "customer_address": "250 Water Street, 9th Floor, New York, New York 10038",
    "monthly_fee": "$45,000 per month",
    "implementation_fee": "$120,000",
    "implementation_milestone_payment": "$40,000",
    "blended_hourly_rate": "$275 per hour",
    "payment_terms": "net thirty (30) days",
    "late_interest": "one and one-half percent (1.5%) per month",
    "renewal_increase_cap": "three percent (3%)",
    "initial_term": "three (3) years",
    "renewal": "successive one (1) year renewal terms unless either party gives ninety (90) days' written notice",
    "termination_for_convenience_notice": "one hundred twenty (120) days' prior written notice",
    "cure_period": "thirty (30) days",
    "confidentiality_survival": "five (5) years",
    "breach_notification": "seventy-two (72) hours",
    "liability_cap": "in no event shall either party's aggregate liability exceed the fees paid in the twelve (12) months preceding",
    "insurance_cgl": "$2,000,000 per occurrence and $5,000,000 in the aggregate",
    "insurance_cyber": "$10,000,000",
    "non_solicitation": "twelve (12) months",
    "force_majeure_termination": "sixty (60) consecutive days",
    "governing_law": "This Agreement shall be governed by and construed in accordance with the laws of the State of New York",
    "venue": "state and federal courts located in New York County, New York",
    "availability_target": "99.9%",
    "provider_signatory": ("Jonathan R. Meyers", "Chief Executive Officer"),
    "customer_signatory": ("Elena Vasquez", "Chief Operating Officer"),
}

PREAMBLE = (
    'This Master Services Agreement (the "Agreement") is entered into as of March 1, 2024 (the "Effective '
    'Date") by and between Northwind Analytics, Inc., a Delaware corporation ("Provider"), and Harbor Freight '
    'Logistics LLC, a New York limited liability company ("Customer"). Provider and Customer are each referred '
    'to in this Agreement as a "Party" and together as the "Parties."'
)

RECITALS = [
    "WHEREAS, Provider is in the business of providing cloud-hosted supply chain analytics, shipment "
    "visibility, route optimization and related professional services to enterprises in the freight and "
    "logistics industry;",
    "WHEREAS, Customer operates a network of freight forwarding, drayage and warehousing operations in North "
    "America and Europe and wishes to obtain certain of those services from Provider to improve the "
    "efficiency, reliability and transparency of its operations; and",
    "WHEREAS, the Parties wish to set forth the terms and conditions under which Provider will provide such "
    "services to Customer, with the specific services to be described in one or more Statements of Work "
    "entered into under this Agreement;",
    "NOW, THEREFORE, in consideration of the mutual covenants and agreements set forth in this Agreement, and "
    "for other good and valuable consideration, the receipt and sufficiency of which are hereby acknowledged, "
    "the Parties agree as follows:",
]

# (term, definition) in alphabetical order.
DEFINITIONS = [
    ("Affiliate", "means, with respect to a Party, any entity that directly or indirectly controls, is "
     "controlled by, or is under common control with such Party, where \"control\" means ownership of more than "
     "fifty percent (50%) of the voting securities of an entity or the power to direct its management and policies."),
    ("Aggregated Data", "means data derived from Customer Data and data of other Provider customers that has been "
     "de-identified and aggregated such that it does not identify Customer, any Customer Affiliate or any individual."),
    ("Applicable Law", "means all federal, state, provincial, local and foreign laws, statutes, regulations, rules, "
     "ordinances, codes and binding orders of any Governmental Authority that apply to a Party or to the Services."),
    ("Authorized User", "means an employee, contractor or agent of Customer or a Customer Affiliate whom Customer "
     "authorizes to access and use the Platform in accordance with this Agreement."),
    ("Business Day", "means any day other than a Saturday, a Sunday or a day on which commercial banks in New York, "
     "New York are authorized or required by law to close."),
    ("Change Order", "means a written document, executed by both Parties in accordance with Section 3.4, that "
     "modifies the scope, schedule, fees or other terms of a Statement of Work."),
    ("Confidential Information", "has the meaning set forth in Section 8.1."),
    ("Customer Data", "means all data, records and information, including Personal Data, that Customer, its "
     "Affiliates or Authorized Users submit to the Platform or that Provider otherwise receives, collects or "
     "generates on behalf of Customer in performing the Services, including shipment, carrier, rate, lane and "
     "inventory data."),
    ("Customer Materials", "means any materials, systems, software, data feeds or other resources that Customer "
     "provides or makes available to Provider in connection with the Services."),
    ("Data Processing Addendum", "means the data processing addendum attached to this Agreement as Exhibit D."),
    ("Deliverables", "means all reports, configurations, models, documentation and other work product that "
     "Provider is required to deliver to Customer under a Statement of Work, excluding the Platform and Provider "
     "Materials."),
    ("Documentation", "means Provider's then-current user guides, technical specifications and online help "
     "materials for the Platform, as updated from time to time in accordance with this Agreement."),
    ("Fees", "means the fees set forth in Article 5, Exhibit C (Fee Schedule) and each Statement of Work."),
    ("Good Industry Practice", "means the exercise of the degree of skill, care, diligence, prudence and foresight "
     "that would reasonably be expected from a leading provider of services similar to the Services to enterprise "
     "customers in the logistics industry."),
    ("Governance Committee", "means the joint committee established under Section 2.7 to oversee the relationship "
     "between the Parties."),
    ("Governmental Authority", "means any court, tribunal, regulator, agency, commission or other governmental "
     "body of competent jurisdiction."),
    ("Initial Term", "has the meaning set forth in Section 6.1."),
    ("Intellectual Property Rights", "means all patents, copyrights, trademarks, trade secrets, database rights, "
     "rights in designs, moral rights and all other intellectual or industrial property rights anywhere in the "
     "world, whether registered or unregistered, including all applications and renewals."),
    ("Losses", "means all losses, damages, liabilities, settlements, judgments, fines, penalties, costs and "
     "expenses, including reasonable attorneys' fees and costs of investigation."),
    ("Monthly Platform Fee", "has the meaning set forth in Section 5.1."),
    ("Personal Data", "means any information relating to an identified or identifiable natural person that is "
     "included in Customer Data."),
    ("Platform", "means Provider's proprietary software-as-a-service logistics analytics platform known as "
     "Northwind Signal, including the shipment visibility, route optimization, carrier scorecard and demand "
     "forecasting modules, and all updates and enhancements that Provider makes generally available."),
    ("Provider Materials", "means all software, tools, methodologies, templates, know-how and other materials "
     "owned or licensed by Provider that exist before the Effective Date or are developed independently of this "
     "Agreement, together with all modifications and derivative works of them."),
    ("Renewal Term", "has the meaning set forth in Section 6.2."),
    ("Security Incident", "means any actual or reasonably suspected unauthorized access to, or acquisition, use, "
     "disclosure, alteration, loss or destruction of, Customer Data in the possession or control of Provider or "
     "its Subcontractors."),
    ("Service Levels", "means the service level commitments set forth in Exhibit B (Service Level Agreement)."),
    ("Service Credits", "means the credits against the Fees calculated in accordance with Exhibit B."),
    ("Services", "means access to the Platform, the implementation, integration, support and professional "
     "services described in each Statement of Work, and all other services that Provider provides under this "
     "Agreement."),
    ("Statement of Work", "or \"SOW\" means a statement of work executed by both Parties in accordance with "
     "Article 3, including Statement of Work No. 1 attached as Exhibit A."),
    ("Subcontractor", "means any third party, including any Provider Affiliate, that Provider engages to perform "
     "any part of the Services."),
    ("Term", "means the Initial Term together with all Renewal Terms."),
]

# Articles: number, title, grammar topic, number of generated sections, hand-written sections.
# Each hand-written section is (heading, [paragraphs]); a paragraph that starts with "(" is an
# indented sub-clause.
ARTICLES = [
    (2, "Services", "services", 6, [
        ("Provision of Services", [
            "Provider shall provide the Services to Customer and its Affiliates in accordance with this "
            "Agreement, the applicable Statement of Work, the Documentation and the Service Levels. Provider shall "
            "perform the Services in a professional and workmanlike manner, in accordance with Good Industry "
            "Practice and Applicable Law, using appropriately qualified and experienced personnel.",
        ]),
        ("Access to the Platform", [
            "Subject to the terms of this Agreement and payment of the applicable Fees, Provider grants Customer "
            "a non-exclusive, non-transferable (except as permitted under Article 20) right during the Term for "
            "Authorized Users to access and use the Platform for the internal business purposes of Customer and "
            "its Affiliates. Customer may permit its third-party logistics providers and carriers to access "
            "shipment visibility dashboards on a read-only basis, provided that Customer remains responsible for "
            "their compliance with this Agreement.",
        ]),
        ("Service Levels", [
            "Provider shall meet or exceed the Service Levels set forth in Exhibit B. Provider's monthly "
            "availability commitment for the production Platform is 99.9%, measured as described in Exhibit B. "
            "If Provider fails to meet a Service Level, Provider shall issue the applicable Service Credits and "
            "shall perform a root cause analysis and implement a corrective action plan in accordance with Exhibit B.",
        ]),
        ("Subcontractors", [
            "Provider may engage Subcontractors to perform parts of the Services, provided that (i) Provider "
            "remains fully responsible for the performance of its Subcontractors and for their compliance with this "
            "Agreement, (ii) each Subcontractor that will have access to Customer Data is bound by written "
            "obligations at least as protective as those in Article 8 and Article 9, and (iii) Provider complies "
            "with the sub-processor notice requirements of the Data Processing Addendum.",
        ]),
        ("Provider Personnel", [
            "Provider shall assign the key personnel identified in each Statement of Work and shall not reassign "
            "them during the first twelve (12) months of the applicable Statement of Work except for reasons of "
            "death, disability, resignation, termination for cause or approved leave. Customer may request the "
            "removal of any Provider personnel for any lawful reason, and Provider shall promptly provide a suitably "
            "qualified replacement at no additional cost to Customer.",
        ]),
        ("Platform Updates", [
            "Provider may update the Platform from time to time, provided that no update materially reduces the "
            "functionality, security or performance of the Platform as used by Customer. Provider shall give "
            "Customer at least thirty (30) days' prior notice of any update that requires changes to Customer's "
            "integrations and shall maintain the prior version of any affected application programming interface "
            "for at least six (6) months after such notice.",
        ]),
        ("Governance", [
            "Within thirty (30) days after the Effective Date, the Parties shall establish a Governance Committee "
            "composed of at least two (2) representatives of each Party. The Governance Committee shall meet at "
            "least monthly during implementation and at least quarterly thereafter to review performance against "
            "the Service Levels, the status of each Statement of Work, open risks and issues, and planned changes "
            "to the Services.",
        ]),
    ]),
    (3, "Statements of Work", "sow", 5, [
        ("Execution of Statements of Work", [
            "The Parties may from time to time enter into Statements of Work describing specific Services to be "
            "performed under this Agreement. Each Statement of Work shall reference this Agreement, shall be "
            "executed by authorized representatives of both Parties, and shall be governed by this Agreement. "
            "Statement of Work No. 1, attached as Exhibit A, is hereby entered into as of the Effective Date.",
        ]),
        ("Contents of Statements of Work", [
            "Each Statement of Work shall describe, as applicable:",
            "(a) the Services and Deliverables to be provided and the acceptance criteria for each Deliverable;",
            "(b) the project schedule, milestones and any key dates;",
            "(c) the Fees and payment schedule for the Services, including any milestone payments;",
            "(d) the key personnel and the responsibilities of each Party; and",
            "(e) any assumptions, dependencies or special terms applicable to the Services.",
        ]),
        ("Order of Precedence", [
            "In the event of any conflict or inconsistency, the following order of precedence shall apply: "
            "(i) the Data Processing Addendum, with respect to the processing of Personal Data; (ii) the body of "
            "this Agreement; (iii) Exhibit B (Service Level Agreement); (iv) Exhibit C (Fee Schedule); (v) the "
            "applicable Statement of Work; and (vi) any other exhibit or document incorporated by reference, unless "
            "a Statement of Work expressly identifies the provision of this Agreement that it is intended to "
            "override.",
        ]),
        ("Change Control", [
            "Either Party may request changes to a Statement of Work by written change request. Within ten (10) "
            "Business Days after receipt of a change request, Provider shall deliver to Customer a written "
            "assessment describing the impact of the requested change on the scope, schedule, Fees and Service "
            "Levels. No change shall be effective unless and until it is set forth in a Change Order executed by "
            "both Parties.",
        ]),
        ("Acceptance", [
            "Each Deliverable shall be subject to acceptance testing by Customer against the acceptance criteria "
            "set forth in the applicable Statement of Work. Customer shall notify Provider in writing of its "
            "acceptance or rejection of a Deliverable within fifteen (15) Business Days after delivery. If Customer "
            "rejects a Deliverable, Provider shall correct the identified non-conformities and redeliver the "
            "Deliverable within ten (10) Business Days, and the acceptance procedure shall be repeated. If a "
            "Deliverable fails acceptance testing for a third time, Customer may terminate the applicable Statement "
            "of Work and receive a refund of all Fees paid for the non-conforming Deliverable.",
        ]),
    ]),
    (4, "Customer Responsibilities", "customer", 5, [
        ("Cooperation", [
            "Customer shall provide Provider with timely access to the Customer personnel, information, systems "
            "and facilities reasonably required for Provider to perform the Services, as specified in the applicable "
            "Statement of Work. Provider shall be excused from any failure to perform to the extent caused by "
            "Customer's failure to perform its obligations under this Section, provided that Provider promptly "
            "notifies Customer of such failure and uses commercially reasonable efforts to perform notwithstanding it.",
        ]),
        ("Customer Materials", [
            "Customer represents that it has all rights necessary to provide the Customer Materials and Customer "
            "Data to Provider for use in accordance with this Agreement. Customer grants Provider a non-exclusive, "
            "royalty-free license during the Term to use the Customer Materials solely to perform the Services.",
        ]),
        ("Acceptable Use", [
            "Customer shall not, and shall not permit any Authorized User to: (i) copy, modify or create derivative "
            "works of the Platform; (ii) reverse engineer, decompile or disassemble the Platform, except to the "
            "extent expressly permitted by Applicable Law; (iii) sell, sublicense or provide the Platform to any "
            "third party except as permitted in Section 2.2; (iv) use the Platform to store or transmit malicious "
            "code; or (v) interfere with or disrupt the integrity or performance of the Platform.",
        ]),
    ]),
    (5, "Fees and Payment", "fees", 2, [
        ("Monthly Platform Fee", [
            "In consideration of access to the Platform and the standard support Services, Customer shall pay "
            "Provider a platform fee of $45,000 per month (the \"Monthly Platform Fee\"), commencing on the Effective "
            "Date. The Monthly Platform Fee includes up to 250,000 shipments processed per month and up to 400 "
            "Authorized Users. Volume above those thresholds shall be charged at the rates set forth in Exhibit C.",
        ]),
        ("Implementation Fee", [
            "Customer shall pay Provider a one-time implementation fee of $120,000 for the implementation Services "
            "described in Statement of Work No. 1, payable in three (3) milestone payments of $40,000 each upon "
            "Customer's acceptance of the milestones identified in Exhibit A.",
        ]),
        ("Professional Services", [
            "Professional Services not included in the Monthly Platform Fee or a fixed-fee Statement of Work shall "
            "be charged on a time-and-materials basis at the blended rate of $275 per hour, or at the role-based "
            "rates set forth in Exhibit C where a Statement of Work so specifies. Provider shall not exceed any "
            "estimate or not-to-exceed amount set forth in a Statement of Work without Customer's prior written approval.",
        ]),
        ("Invoicing and Payment", [
            "Provider shall invoice the Monthly Platform Fee monthly in advance and all other Fees monthly in "
            "arrears, unless otherwise specified in a Statement of Work. Each invoice shall reference this Agreement "
            "and the applicable Statement of Work and shall include reasonable supporting detail. Customer shall pay "
            "all undisputed amounts net thirty (30) days from the date of receipt of a correct invoice, by wire "
            "transfer or ACH to the account designated by Provider in writing.",
        ]),
        ("Late Payment", [
            "Any undisputed amount not paid when due shall accrue interest at the rate of one and one-half percent "
            "(1.5%) per month, or the maximum rate permitted by Applicable Law, whichever is less, from the due date "
            "until paid. If any undisputed amount remains unpaid more than forty-five (45) days after its due date, "
            "Provider may, upon at least fifteen (15) days' prior written notice, suspend the affected Services "
            "until such amount is paid in full.",
        ]),
        ("Disputed Invoices", [
            "Customer may withhold payment of any amount that it disputes in good faith by notifying Provider in "
            "writing of the disputed amount and the basis for the dispute before the payment due date. The Parties "
            "shall work together in good faith to resolve any such dispute within thirty (30) days, failing which "
            "either Party may escalate the dispute in accordance with Article 17. Provider shall continue to perform "
            "the Services during the resolution of any payment dispute.",
        ]),
        ("Taxes", [
            "The Fees exclude all sales, use, value added, goods and services and similar taxes. Customer shall pay "
            "all such taxes properly invoiced by Provider, other than taxes based on Provider's net income, "
            "property or employees. If Customer is required by Applicable Law to withhold any tax from a payment, "
            "Customer shall provide Provider with official receipts evidencing payment of the withheld amount.",
        ]),
        ("Expenses", [
            "Customer shall reimburse Provider for reasonable, pre-approved travel and out-of-pocket expenses "
            "incurred in performing the Services, in accordance with Customer's travel and expense policy as "
            "provided to Provider in writing, and without mark-up.",
        ]),
        ("Fee Adjustments", [
            "The Fees shall remain fixed during the Initial Term. Provider may increase the Fees with effect from "
            "the start of any Renewal Term by giving Customer written notice at least one hundred twenty (120) days "
            "before the end of the then-current term, provided that no increase shall exceed three percent (3%) of "
            "the Fees in effect during the preceding twelve (12) months.",
        ]),
    ]),
    (6, "Term and Renewal", "term", 0, [
        ("Initial Term", [
            "This Agreement shall commence on the Effective Date and continue for an initial term of three (3) "
            "years (the \"Initial Term\"), unless terminated earlier in accordance with Article 7.",
        ]),
        ("Automatic Renewal", [
            "Upon expiration of the Initial Term, this Agreement shall automatically renew for successive one (1) "
            "year renewal terms unless either party gives ninety (90) days' written notice of non-renewal to the "
            "other Party before the end of the then-current term (each, a \"Renewal Term\").",
        ]),
        ("Term of Statements of Work", [
            "Each Statement of Work shall remain in effect for the term specified in it. If a Statement of Work "
            "remains in effect when this Agreement expires or is terminated, this Agreement shall continue to govern "
            "that Statement of Work until it expires or is terminated, unless the Parties agree otherwise in writing.",
        ]),
    ]),
    (7, "Termination", "termination", 3, [
        ("Termination for Convenience", [
            "Customer may terminate this Agreement or any Statement of Work for convenience at any time after the "
            "first anniversary of the Effective Date upon one hundred twenty (120) days' prior written notice to "
            "Provider. If Customer terminates this Agreement for convenience during the Initial Term, Customer shall "
            "pay Provider, as its sole and exclusive remedy, an early termination fee equal to three (3) months of "
            "the Monthly Platform Fee, together with all Fees for Services performed through the effective date of "
            "termination. Provider may not terminate this Agreement for convenience.",
        ]),
        ("Termination for Cause", [
            "Either Party may terminate this Agreement or the affected Statement of Work for cause upon written "
            "notice if the other Party materially breaches this Agreement and fails to cure such breach within "
            "thirty (30) days after receiving written notice describing the breach in reasonable detail. Customer "
            "may also terminate this Agreement upon written notice if Provider fails to meet the availability "
            "Service Level in any three (3) months within any rolling six (6) month period.",
        ]),
        ("Insolvency", [
            "Either Party may terminate this Agreement immediately upon written notice if the other Party becomes "
            "insolvent, makes a general assignment for the benefit of creditors, has a receiver or trustee appointed "
            "for all or substantially all of its assets, or becomes the subject of any voluntary or involuntary "
            "bankruptcy proceeding that is not dismissed within sixty (60) days.",
        ]),
        ("Effect of Termination", [
            "Upon expiration or termination of this Agreement: (i) all rights to access the Platform shall cease, "
            "subject to Section 7.5; (ii) Customer shall pay all undisputed Fees accrued through the effective date "
            "of termination; (iii) Provider shall refund any prepaid Fees for Services not performed, unless Customer "
            "terminated under Section 7.1 or Provider terminated under Section 7.2; and (iv) each Party shall return "
            "or destroy the other Party's Confidential Information in accordance with Section 8.5.",
        ]),
        ("Transition Assistance", [
            "Upon Customer's request made at any time before or within thirty (30) days after expiration or "
            "termination, Provider shall provide reasonable transition assistance for up to one hundred eighty "
            "(180) days, including continued access to the Platform at the then-current Fees and the export of all "
            "Customer Data in a commonly used, machine-readable format, as further described in Exhibit F.",
        ]),
        ("Survival", [
            "Articles 8, 10, 12, 13, 17 and 18, Sections 5.4 through 5.7 and 7.4 through 7.6, and any other "
            "provision that by its nature is intended to survive, shall survive any expiration or termination of "
            "this Agreement.",
        ]),
    ]),
    (8, "Confidentiality", "confidentiality", 4, [
        ("Definition", [
            "\"Confidential Information\" means all non-public information disclosed by or on behalf of a Party (the "
            "\"Disclosing Party\") to the other Party (the \"Receiving Party\") in connection with this Agreement, "
            "whether orally, visually or in writing, that is designated as confidential or that a reasonable person "
            "would understand to be confidential. Customer Data is Customer's Confidential Information, and the "
            "Platform, the Documentation and the pricing terms of this Agreement are Provider's Confidential Information.",
        ]),
        ("Exclusions", [
            "Confidential Information does not include information that (i) is or becomes publicly available "
            "through no fault of the Receiving Party; (ii) was known to the Receiving Party without restriction "
            "before receipt from the Disclosing Party; (iii) is rightfully received from a third party without a "
            "duty of confidentiality; or (iv) is independently developed by the Receiving Party without use of the "
            "Disclosing Party's Confidential Information.",
        ]),
        ("Obligations", [
            "The Receiving Party shall use the Disclosing Party's Confidential Information only to exercise its "
            "rights and perform its obligations under this Agreement, shall not disclose it to any third party "
            "except to its and its Affiliates' employees, contractors and professional advisors who need to know it "
            "and are bound by obligations of confidentiality at least as protective as this Article 8, and shall "
            "protect it using at least the same degree of care it uses for its own confidential information of "
            "similar nature, and no less than reasonable care.",
        ]),
        ("Compelled Disclosure", [
            "If the Receiving Party is required by Applicable Law or legal process to disclose Confidential "
            "Information, it shall give the Disclosing Party prompt written notice, to the extent legally permitted, "
            "and reasonable assistance in seeking a protective order, and shall disclose only the portion of the "
            "Confidential Information that it is legally required to disclose.",
        ]),
        ("Return or Destruction", [
            "Upon the Disclosing Party's written request or upon expiration or termination of this Agreement, the "
            "Receiving Party shall promptly return or destroy the Disclosing Party's Confidential Information and "
            "certify such destruction in writing, except for copies retained in routine backups or as required by "
            "Applicable Law, which shall remain subject to this Article 8.",
        ]),
        ("Duration", [
            "The obligations in this Article 8 shall continue during the Term and for five (5) years after the "
            "expiration or termination of this Agreement, except that obligations with respect to trade secrets and "
            "Customer Data shall continue for so long as such information remains a trade secret or is retained by "
            "the Receiving Party.",
        ]),
        ("Equitable Relief", [
            "Each Party acknowledges that a breach of this Article 8 may cause the Disclosing Party irreparable harm "
            "for which monetary damages would be inadequate, and that the Disclosing Party shall be entitled to seek "
            "injunctive relief in addition to all other remedies available at law or in equity, without the "
            "necessity of posting a bond.",
        ]),
    ]),
    (9, "Data Protection and Security", "data", 6, [
        ("Data Processing Addendum", [
            "To the extent that Provider processes Personal Data on behalf of Customer, the Parties shall comply "
            "with the Data Processing Addendum attached as Exhibit D, which forms part of this Agreement.",
        ]),
        ("Information Security Program", [
            "Provider shall implement and maintain a written information security program that includes "
            "administrative, technical and physical safeguards designed to protect Customer Data against Security "
            "Incidents, that complies with Applicable Law and Good Industry Practice, and that meets or exceeds the "
            "requirements set forth in Exhibit E (Information Security Requirements). Provider shall maintain a SOC 2 "
            "Type II report, or an equivalent independent assessment, covering the Platform throughout the Term.",
        ]),
        ("Security Incidents", [
            "Provider shall notify Customer without undue delay, and in any event within seventy-two (72) hours, "
            "after becoming aware of a Security Incident. Provider shall promptly investigate, contain and remediate "
            "the Security Incident, provide Customer with all information reasonably requested regarding it, and "
            "reasonably cooperate with Customer in notifying affected individuals, regulators and other third parties "
            "as required by Applicable Law.",
        ]),
        ("Data Location", [
            "Provider shall store Customer Data only in data centers located in the United States, unless Customer "
            "otherwise agrees in writing. Provider shall not transfer Customer Data outside the United States or "
            "permit remote access to Customer Data from outside the United States except as permitted by the Data "
            "Processing Addendum.",
        ]),
        ("Return and Deletion of Customer Data", [
            "Within thirty (30) days after the end of the transition period described in Section 7.5, Provider "
            "shall delete all Customer Data from its systems and the systems of its Subcontractors, except to the "
            "extent retention is required by Applicable Law, and shall certify such deletion in writing upon request.",
        ]),
    ]),
    (10, "Intellectual Property", "ip", 2, [
        ("Provider Intellectual Property", [
            "As between the Parties, Provider owns all right, title and interest, including all Intellectual "
            "Property Rights, in and to the Platform, the Documentation, the Provider Materials and the Aggregated "
            "Data. Except for the rights expressly granted in this Agreement, no right or license is granted to "
            "Customer, whether by implication, estoppel or otherwise.",
        ]),
        ("Customer Data", [
            "As between the Parties, Customer owns all right, title and interest in and to the Customer Data. "
            "Customer grants Provider a non-exclusive license during the Term to process Customer Data solely to "
            "provide the Services and as otherwise permitted by this Agreement and the Data Processing Addendum.",
        ]),
        ("Deliverables", [
            "Upon payment in full of the applicable Fees, Provider assigns to Customer all right, title and interest "
            "in and to the Deliverables that are specifically identified as custom Deliverables in a Statement of "
            "Work, excluding any Provider Materials incorporated in them. Provider grants Customer a perpetual, "
            "non-exclusive, royalty-free license to use any Provider Materials incorporated in the Deliverables for "
            "Customer's internal business purposes.",
        ]),
        ("Feedback", [
            "Customer may provide suggestions or feedback regarding the Platform. Provider may use such feedback "
            "without restriction or obligation, provided that Provider does not identify Customer as its source "
            "without Customer's prior written consent.",
        ]),
        ("Aggregated Data", [
            "Provider may create and use Aggregated Data to operate, improve and develop its products and services, "
            "provided that Provider does not disclose Aggregated Data in a form that identifies or could reasonably "
            "be used to identify Customer, its Affiliates, its carriers or any individual.",
        ]),
    ]),
    (11, "Warranties", "warranties", 1, [
        ("Mutual Warranties", [
            "Each Party represents and warrants that (i) it is duly organized, validly existing and in good standing "
            "under the laws of its jurisdiction of organization; (ii) it has full power and authority to enter into "
            "and perform this Agreement; and (iii) its execution and performance of this Agreement will not violate "
            "any agreement to which it is a party or Applicable Law.",
        ]),
        ("Provider Warranties", [
            "Provider warrants that (i) the Platform will perform materially in accordance with the Documentation; "
            "(ii) the Services will be performed in a professional and workmanlike manner in accordance with Good "
            "Industry Practice; (iii) each Deliverable will conform in all material respects to its specifications "
            "for ninety (90) days after acceptance; and (iv) Provider will not introduce any virus, malicious code or "
            "disabling device into Customer's systems.",
        ]),
        ("Remedies", [
            "If Provider breaches a warranty in this Article 11, Provider shall, at its expense, re-perform the "
            "non-conforming Services or correct the non-conforming Deliverable within thirty (30) days after notice. "
            "If Provider is unable to do so, Customer may terminate the affected Statement of Work and receive a "
            "refund of the Fees paid for the non-conforming Services or Deliverable.",
        ]),
        ("Disclaimer", [
            "EXCEPT AS EXPRESSLY SET FORTH IN THIS AGREEMENT, NEITHER PARTY MAKES ANY WARRANTY OF ANY KIND, WHETHER "
            "EXPRESS, IMPLIED, STATUTORY OR OTHERWISE, AND EACH PARTY SPECIFICALLY DISCLAIMS ALL IMPLIED WARRANTIES, "
            "INCLUDING ANY WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE, TITLE AND "
            "NON-INFRINGEMENT, TO THE MAXIMUM EXTENT PERMITTED BY APPLICABLE LAW.",
        ]),
    ]),
    (12, "Indemnification", "indemnity", 1, [
        ("Indemnification by Provider", [
            "Provider shall defend Customer, its Affiliates and their respective officers, directors and employees "
            "against any claim brought by a third party, and shall indemnify them against all Losses arising from "
            "such claim, to the extent the claim alleges that (i) the Platform, the Services or any Deliverable "
            "infringes or misappropriates any Intellectual Property Rights of a third party in the United States; "
            "(ii) a Security Incident resulted from Provider's breach of Article 9; or (iii) Provider or its "
            "personnel caused bodily injury, death or damage to tangible property through negligence or willful "
            "misconduct.",
        ]),
        ("Indemnification by Customer", [
            "Customer shall defend Provider, its Affiliates and their respective officers, directors and employees "
            "against any claim brought by a third party, and shall indemnify them against all Losses arising from "
            "such claim, to the extent the claim alleges that the Customer Data or Customer Materials, as provided "
            "by Customer, infringe or misappropriate any Intellectual Property Rights of a third party or were "
            "collected or provided in violation of Applicable Law.",
        ]),
        ("Exclusions", [
            "Provider shall have no obligation under Section 12.1(i) to the extent a claim arises from (a) "
            "modifications to the Platform not made or authorized by Provider; (b) the combination of the Platform "
            "with products or services not provided or specified by Provider, if the claim would not have arisen "
            "but for such combination; or (c) Customer's continued use of allegedly infringing features after "
            "Provider has provided a non-infringing alternative at no additional cost.",
        ]),
        ("Procedures", [
            "The indemnified Party shall (i) give the indemnifying Party prompt written notice of the claim, provided "
            "that failure to do so shall relieve the indemnifying Party of its obligations only to the extent it is "
            "materially prejudiced; (ii) give the indemnifying Party sole control of the defense and settlement of "
            "the claim, except that the indemnifying Party may not settle any claim that imposes any obligation on "
            "the indemnified Party without its prior written consent; and (iii) provide reasonable cooperation at "
            "the indemnifying Party's expense.",
        ]),
        ("Infringement Remedies", [
            "If the Platform becomes, or in Provider's opinion is likely to become, the subject of an infringement "
            "claim, Provider may at its option and expense (i) procure for Customer the right to continue using the "
            "Platform; (ii) modify the Platform so that it is non-infringing without material loss of functionality; "
            "or (iii) if neither of the foregoing is commercially reasonable, terminate the affected Services and "
            "refund any prepaid Fees for the period after termination.",
        ]),
    ]),
    (13, "Limitation of Liability", "liability", 0, [
        ("Exclusion of Certain Damages", [
            "EXCEPT WITH RESPECT TO THE EXCLUDED CLAIMS DEFINED IN SECTION 13.3, NEITHER PARTY SHALL BE LIABLE TO THE "
            "OTHER FOR ANY INDIRECT, INCIDENTAL, SPECIAL, CONSEQUENTIAL, EXEMPLARY OR PUNITIVE DAMAGES, OR FOR ANY LOSS "
            "OF PROFITS, REVENUE, BUSINESS OR GOODWILL, ARISING OUT OF OR RELATING TO THIS AGREEMENT, EVEN IF ADVISED "
            "OF THE POSSIBILITY OF SUCH DAMAGES.",
        ]),
        ("Cap on Liability", [
            "Except with respect to the Excluded Claims, in no event shall either party's aggregate liability "
            "exceed the fees paid in the twelve (12) months preceding the event giving rise to the claim, "
            "whether in contract, tort (including negligence), strict liability or otherwise. For purposes of this "
            "Section 13.2, \"fees paid\" means the Fees paid and payable by Customer to Provider under this Agreement "
            "and all Statements of Work during such twelve (12) month period.",
        ]),
        ("Excluded Claims", [
            "The limitations in Sections 13.1 and 13.2 shall not apply to (i) a Party's defense and indemnification "
            "obligations under Article 12; (ii) a Party's breach of Article 8 (Confidentiality); (iii) a Party's gross "
            "negligence, fraud or willful misconduct; or (iv) Customer's obligation to pay Fees properly due "
            "(collectively, the \"Excluded Claims\").",
        ]),
        ("Service Credits", [
            "Service Credits are a price adjustment reflecting the reduced value of the Services and are not a "
            "penalty. The payment of Service Credits shall not limit Customer's right to recover damages for the "
            "same failure, provided that any Service Credits paid shall be deducted from any damages awarded for "
            "that failure.",
        ]),
    ]),
    (14, "Insurance", "insurance", 0, [
        ("Required Coverage", [
            "During the Term and for two (2) years thereafter, Provider shall maintain, at its own expense, with "
            "insurers rated A- VII or better by A.M. Best, the following insurance:",
            "(a) commercial general liability insurance with limits of not less than $2,000,000 per occurrence and "
            "$5,000,000 in the aggregate;",
            "(b) technology errors and omissions insurance with limits of not less than $5,000,000 per claim and in "
            "the aggregate;",
            "(c) cyber liability and network security insurance, including coverage for data breach response costs, "
            "regulatory fines to the extent insurable and third-party claims, with limits of not less than "
            "$10,000,000 per claim and in the aggregate;",
            "(d) workers' compensation insurance as required by Applicable Law and employer's liability insurance "
            "with limits of not less than $1,000,000 per accident; and",
            "(e) umbrella liability insurance with limits of not less than $5,000,000.",
        ]),
        ("Certificates and Notice", [
            "Provider shall deliver certificates of insurance evidencing the required coverage to Customer within "
            "fifteen (15) days after the Effective Date and upon each renewal of coverage, and shall give Customer at "
            "least thirty (30) days' prior written notice of any cancellation or material reduction of coverage. "
            "Customer and its Affiliates shall be named as additional insureds under the commercial general liability "
            "and umbrella policies.",
        ]),
    ]),
    (15, "Non-Solicitation", "nonsolicit", 0, [
        ("Non-Solicitation of Personnel", [
            "During the Term and for twelve (12) months thereafter, neither Party shall, directly or indirectly, "
            "solicit for employment any employee of the other Party who was materially involved in the performance "
            "or receipt of the Services, without the other Party's prior written consent.",
        ]),
        ("General Solicitations", [
            "Section 15.1 shall not prohibit general solicitations of employment not specifically directed at "
            "employees of the other Party, such as advertisements in publications or on job boards, or the hiring of "
            "any person who responds to such a general solicitation or who contacts a Party on his or her own initiative.",
        ]),
        ("Remedy", [
            "If a Party hires an employee in breach of Section 15.1, that Party shall pay the other Party, as "
            "liquidated damages and not as a penalty, an amount equal to fifty percent (50%) of the employee's "
            "annual base salary at the time of departure, which the Parties agree is a reasonable estimate of the "
            "recruiting and training costs the other Party will incur.",
        ]),
    ]),
    (16, "Force Majeure", "force", 0, [
        ("Excused Performance", [
            "Neither Party shall be liable for any failure or delay in performing its obligations under this "
            "Agreement, other than payment obligations, to the extent caused by events beyond its reasonable control, "
            "including acts of God, flood, fire, earthquake, epidemic, war, terrorism, civil unrest, labor disputes "
            "not involving the affected Party's own employees, or failures of public utilities or telecommunications "
            "networks (each, a \"Force Majeure Event\").",
        ]),
        ("Notice and Mitigation", [
            "The affected Party shall promptly notify the other Party of the Force Majeure Event, use commercially "
            "reasonable efforts to mitigate its effects, and resume performance as soon as practicable. A Force "
            "Majeure Event shall not excuse Provider from its obligations to maintain and execute the business "
            "continuity and disaster recovery plans required by Exhibit E.",
        ]),
        ("Extended Force Majeure", [
            "If a Force Majeure Event prevents Provider from performing any material part of the Services for more "
            "than sixty (60) consecutive days, Customer may terminate the affected Statement of Work or this "
            "Agreement upon written notice without liability, and Provider shall refund any prepaid Fees for the "
            "period after termination.",
        ]),
    ]),
    (17, "Dispute Resolution", "disputes", 0, [
        ("Informal Resolution", [
            "The Parties shall attempt to resolve any dispute arising out of or relating to this Agreement first "
            "through the Governance Committee. If the Governance Committee does not resolve the dispute within "
            "fifteen (15) Business Days, either Party may escalate it by written notice to the Parties' respective "
            "senior executives, who shall meet within ten (10) Business Days and attempt in good faith to resolve it.",
        ]),
        ("Mediation", [
            "If the senior executives do not resolve the dispute within thirty (30) days after the escalation "
            "notice, the Parties shall submit the dispute to non-binding mediation administered by JAMS in New York, "
            "New York before a single mediator with experience in technology services agreements. The costs of the "
            "mediator shall be shared equally.",
        ]),
        ("Litigation", [
            "If the dispute is not resolved within sixty (60) days after the commencement of mediation, either Party "
            "may commence litigation in accordance with Article 18. Nothing in this Article 17 shall prevent either "
            "Party from seeking injunctive or other equitable relief at any time to protect its Confidential "
            "Information or Intellectual Property Rights.",
        ]),
        ("Continued Performance", [
            "Pending resolution of any dispute, each Party shall continue to perform its obligations under this "
            "Agreement, including, in the case of Customer, payment of all undisputed Fees.",
        ]),
        ("Waiver of Jury Trial", [
            "EACH PARTY HEREBY IRREVOCABLY WAIVES, TO THE FULLEST EXTENT PERMITTED BY APPLICABLE LAW, ANY RIGHT IT "
            "MAY HAVE TO A TRIAL BY JURY IN ANY PROCEEDING ARISING OUT OF OR RELATING TO THIS AGREEMENT.",
        ]),
    ]),
    (18, "Governing Law and Venue", None, 0, [
        ("Governing Law", [
            "This Agreement shall be governed by and construed in accordance with the laws of the State of New York, "
            "without regard to its conflict of laws principles that would require the application of the laws of "
            "another jurisdiction. The Parties agree that Sections 5-1401 and 5-1402 of the New York General "
            "Obligations Law apply to this Agreement.",
        ]),
        ("Venue", [
            "Each Party irrevocably submits to the exclusive jurisdiction of the state and federal courts located in "
            "New York County, New York for any action arising out of or relating to this Agreement, and waives any "
            "objection to venue in such courts.",
        ]),
        ("Excluded Conventions", [
            "The United Nations Convention on Contracts for the International Sale of Goods and the Uniform Computer "
            "Information Transactions Act, as enacted in any jurisdiction, shall not apply to this Agreement.",
        ]),
    ]),
    (19, "Notices", None, 0, [
        ("Method of Notice", [
            "All notices under this Agreement shall be in writing and shall be deemed given (i) when delivered "
            "personally; (ii) one (1) Business Day after deposit with a nationally recognized overnight courier, "
            "with written verification of receipt; or (iii) when sent by email with confirmation of transmission, "
            "provided that any notice of breach, termination or an indemnifiable claim is also sent by one of the "
            "methods in clauses (i) or (ii).",
        ]),
        ("Addresses", [
            "Notices shall be sent to the following addresses, or to such other address as a Party designates by "
            "notice:",
            "(a) if to Provider: Northwind Analytics, Inc., 1200 Lakeview Parkway, Suite 400, Austin, Texas 78746, "
            "Attention: General Counsel, email legal@northwind-analytics.example;",
            "(b) if to Customer: Harbor Freight Logistics LLC, 250 Water Street, 9th Floor, New York, New York 10038, "
            "Attention: Chief Legal Officer, email contracts@harborfreightlogistics.example.",
        ]),
    ]),
    (20, "Assignment and Change of Control", "assignment", 0, [
        ("Assignment", [
            "Neither Party may assign or transfer this Agreement, in whole or in part, without the prior written "
            "consent of the other Party, which shall not be unreasonably withheld, except that either Party may "
            "assign this Agreement without consent to an Affiliate or to a successor in connection with a merger, "
            "acquisition or sale of all or substantially all of its assets, provided that the assignee agrees in "
            "writing to be bound by this Agreement. Any purported assignment in violation of this Section is void.",
        ]),
        ("Change of Control", [
            "Provider shall notify Customer in writing within thirty (30) days after any change of control of "
            "Provider. If Provider undergoes a change of control in which it is acquired by, or merges with, a "
            "competitor of Customer in the freight forwarding or third-party logistics business, Customer may "
            "terminate this Agreement upon written notice given within ninety (90) days after receipt of the change "
            "of control notice, without payment of any early termination fee.",
        ]),
        ("Binding Effect", [
            "This Agreement shall be binding upon and inure to the benefit of the Parties and their respective "
            "permitted successors and assigns.",
        ]),
    ]),
    (21, "Audit Rights", "audit", 1, [
        ("Records", [
            "Provider shall maintain complete and accurate records relating to the Services, the Fees and its "
            "compliance with Article 9 and the Data Processing Addendum during the Term and for three (3) years "
            "thereafter.",
        ]),
        ("Audits", [
            "Customer or an independent auditor appointed by Customer and bound by confidentiality obligations may, "
            "no more than once in any twelve (12) month period and upon at least thirty (30) days' prior written "
            "notice, audit Provider's records and facilities relating to the Services to verify Provider's compliance "
            "with this Agreement. Customer may also conduct an audit at any time following a Security Incident or "
            "when required by a Governmental Authority.",
        ]),
        ("Audit Findings", [
            "If an audit reveals an overcharge, Provider shall promptly refund the overcharged amount. If the "
            "overcharge exceeds five percent (5%) of the Fees for the audited period, Provider shall also reimburse "
            "Customer's reasonable costs of the audit. Provider shall remediate any material non-compliance "
            "identified in an audit in accordance with a remediation plan agreed by the Parties.",
        ]),
    ]),
    (22, "Compliance with Laws", "compliance", 1, [
        ("General Compliance", [
            "Each Party shall comply with all Applicable Laws in connection with its performance under this "
            "Agreement, including applicable data protection, anti-corruption, export control, sanctions and "
            "employment laws.",
        ]),
        ("Anti-Corruption", [
            "Neither Party shall, directly or indirectly, offer, pay, promise or authorize the payment of anything "
            "of value to any government official or other person for the purpose of improperly obtaining or "
            "retaining business, in violation of the U.S. Foreign Corrupt Practices Act, the U.K. Bribery Act 2010 "
            "or any other applicable anti-corruption law.",
        ]),
        ("Export Control and Sanctions", [
            "Each Party represents that it is not, and is not owned or controlled by, a person named on any "
            "sanctions list maintained by the U.S. Department of the Treasury's Office of Foreign Assets Control or "
            "any other applicable sanctions authority. Customer shall not permit access to the Platform from any "
            "country or region subject to comprehensive U.S. sanctions.",
        ]),
    ]),
    (23, "Miscellaneous", None, 0, [
        ("Independent Contractors", [
            "The Parties are independent contractors. Nothing in this Agreement creates a partnership, joint "
            "venture, agency, fiduciary or employment relationship between the Parties.",
        ]),
        ("Publicity", [
            "Neither Party shall use the name, logo or trademarks of the other Party in any publicity, press release "
            "or marketing material without the other Party's prior written consent, except that Provider may "
            "identify Customer by name in customer lists after the first anniversary of the Effective Date unless "
            "Customer objects in writing.",
        ]),
        ("Entire Agreement", [
            "This Agreement, including its exhibits and all Statements of Work, constitutes the entire agreement "
            "between the Parties concerning its subject matter and supersedes all prior and contemporaneous "
            "proposals, negotiations, agreements and understandings, whether written or oral. No terms contained in "
            "any purchase order, invoice or online terms shall modify this Agreement.",
        ]),
        ("Amendment and Waiver", [
            "This Agreement may be amended only by a written instrument signed by authorized representatives of both "
            "Parties. No waiver shall be effective unless in writing, and no failure or delay in exercising any right "
            "shall operate as a waiver of that right.",
        ]),
        ("Severability", [
            "If any provision of this Agreement is held invalid or unenforceable, that provision shall be enforced to "
            "the maximum extent permissible and the remaining provisions shall remain in full force and effect.",
        ]),
        ("Third-Party Beneficiaries", [
            "Except for the indemnified persons under Article 12, there are no third-party beneficiaries of this "
            "Agreement.",
        ]),
        ("Construction", [
            "The headings in this Agreement are for convenience only and shall not affect its interpretation. The "
            "words \"including\" and \"includes\" mean \"including without limitation.\" This Agreement shall be "
            "construed as if drafted jointly by the Parties, and no presumption shall arise favoring or disfavoring "
            "either Party by virtue of authorship.",
        ]),
        ("Counterparts", [
            "This Agreement may be executed in counterparts, each of which shall be deemed an original and all of "
            "which together shall constitute one instrument. Signatures delivered electronically or by PDF shall be "
            "deemed original signatures for all purposes.",
        ]),
    ]),
]

# Article 1 (Definitions) is rendered from DEFINITIONS; ARTICLE_TITLES lists all articles for the TOC.
ARTICLE_TITLES = [(1, "Definitions")] + [(n, t) for (n, t, *_rest) in ARTICLES]
