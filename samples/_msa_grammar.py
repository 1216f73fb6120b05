"""Seeded clause grammar used to pad the sample MSA with varied, legal-sounding sections.

Each topic has:
  heads     -- {section heading: lead sentence}; a generated section uses one heading and
               opens with its lead sentence
  duties    -- verb phrases after "shall", tagged with the obligor (see ACTOR)
  rules     -- "trigger => TAG|remedy": a condition usable after "If ..." paired with a
               fitting consequence (a verb phrase after "shall", tagged like duties)
  acks      -- clauses usable after "The Parties acknowledge and agree that ..."

Entries are one per line; "#" lines and blank lines are ignored.  Everything here is plain
ASCII so PDF text extraction round-trips exactly.
"""

from __future__ import annotations

import random

# Obligor tags: P Provider, C Customer, E each Party, B the Parties (jointly), R the Receiving
# Party, I the indemnified Party, T "that Party" (the Party named in the trigger).
ACTOR = {"P": "Provider", "C": "Customer", "E": "Each Party", "B": "The Parties",
         "R": "The Receiving Party", "I": "The indemnified Party", "T": "That Party"}
ACTOR_MID = {"P": "Provider", "C": "Customer", "E": "each Party", "B": "the Parties",
             "R": "the Receiving Party", "I": "the indemnified Party", "T": "that Party"}
OTHER = {"P": "Customer", "C": "Provider", "E": "the other Party", "R": "the Disclosing Party",
         "I": "the indemnifying Party", "T": "the other Party"}
POSSESSIVE = {"P": "Provider's", "C": "Customer's", "E": "Each Party's", "B": "The Parties'",
              "R": "The Receiving Party's", "I": "The indemnified Party's", "T": "That Party's"}


def _lines(block: str) -> list[str]:
    return [ln.strip() for ln in block.strip().splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _tagged(block: str) -> list[tuple[str, str]]:
    out = []
    for ln in _lines(block):
        tag, text = ln.split("|", 1)
        out.append((tag.strip(), text.strip()))
    return out


def _heads(block: str) -> list[tuple[str, str]]:
    out = []
    for ln in _lines(block):
        head, lead = ln.split("|", 1)
        out.append((head.strip(), lead.strip()))
    return out


# A qualifier is appended directly after a duty; entries not starting with "," get a space.
QUALIFIERS = [q if q.startswith(",") else " " + q for q in _lines("""
, in each case in accordance with Good Industry Practice
, as more fully described in the applicable Statement of Work
, consistent with the Documentation and Applicable Law
in a timely, diligent and professional manner
, at the times and in the manner reasonably requested through the Governance Committee
, to the extent reasonably practicable in the circumstances
throughout the Term and any transition period
, subject to the confidentiality obligations set forth in Article 8
""")]

PROVISOS = _lines("""
such obligation shall not require either Party to take any action that would violate Applicable Law
any resulting change to the scope, schedule or Fees shall be addressed through the Change Control procedure in Section 3.4
the costs of such activity shall be borne by the requesting Party unless the Parties agree otherwise in writing
the other Party is given reasonable prior notice and a reasonable opportunity to comment
nothing in this sentence shall limit any right or remedy expressly provided elsewhere in this Agreement
any information disclosed in connection with such activity shall be treated as Confidential Information
such activity shall be scheduled so as to minimize disruption to the operations of both Parties
the Governance Committee is kept reasonably informed of the progress of such activity
""")

CONSTRUE = _lines("""
limit either Party's rights or remedies under Applicable Law
create any partnership, joint venture or agency relationship between the Parties
require Provider to disclose its internal cost or pricing information
waive any legal privilege, including the attorney-client privilege or the work product doctrine
expand the scope of the Services beyond that described in the applicable Statement of Work
grant any license or other right not expressly granted in this Agreement
limit either Party's obligations under Article 8 (Confidentiality)
relieve Provider of its responsibility for the acts and omissions of its Subcontractors
restrict Customer's right to obtain services similar to the Services from third parties
require either Party to breach any obligation of confidentiality owed to a third party
""")

COOPERATE = _lines("""
cooperate in good faith to minimize any adverse impact on the Services
meet within five (5) Business Days to discuss an appropriate course of action
document the relevant circumstances in writing and refer the matter to the Governance Committee
work together diligently to agree upon a written remediation plan
promptly exchange all information reasonably necessary to assess the situation
""")

DOCREFS = _lines("""
this Agreement
the applicable Statement of Work
Exhibit B (Service Level Agreement)
Exhibit D (Data Processing Addendum)
Exhibit E (Information Security Requirements)
Exhibit F (Business Continuity and Exit)
""")

GENERIC_ACKS = _lines("""
the Services are provided for the benefit of Customer and its Affiliates as a single integrated business
time is of the essence with respect to the milestone dates identified in each Statement of Work
each Party has had the opportunity to review this Agreement with legal counsel of its choosing
the remedies set forth in this Agreement were negotiated as part of the overall allocation of risk between the Parties
""")


TOPICS: dict[str, dict] = {}


def _rules(block: str) -> list[tuple[str, str, str]]:
    """'trigger => TAG|remedy' lines -> (trigger, tag, remedy)."""
    out = []
    for ln in _lines(block):
        trigger, rest = ln.split("=>", 1)
        tag, remedy = rest.strip().split("|", 1)
        out.append((trigger.strip(), tag.strip(), remedy.strip()))
    return out


def _topic(name: str, *, heads: str, duties: str, rules: str, acks: str) -> None:
    TOPICS[name] = {
        "heads": _heads(heads),
        "duties": _tagged(duties),
        "rules": _rules(rules),
        "acks": _lines(acks),
    }


_topic(
    "services",
    heads="""
    Service Locations|Provider shall perform the Services from the Provider facilities identified in the applicable Statement of Work or from such other locations within the United States as Customer may approve in writing.
    Documentation|Provider shall make the Documentation available to Customer in electronic form and shall keep the Documentation current with each release of the Platform.
    Cooperation with Third Parties|Customer may engage third-party service providers whose work interfaces with the Services, and Provider shall cooperate with such providers as reasonably necessary to enable the Services to operate effectively with their systems.
    Service Improvements|Provider shall regularly review the Services and propose to the Governance Committee improvements that would reduce cost, increase reliability or enhance the functionality available to Customer.
    Environments|Provider shall provide Customer with one production environment and one non-production environment of the Platform, each configured in accordance with the applicable Statement of Work.
    Integration Support|Provider shall support the integration of the Platform with Customer's transportation management, warehouse management and enterprise resource planning systems as described in the applicable Statement of Work.
    Training|Provider shall provide training on the use of the Platform to Customer's designated administrators and power users, including initial training sessions and refresher sessions following each major release.
    Support Services|Provider shall provide technical support for the Platform through a help desk staffed by qualified personnel, with the hours of coverage and response times set forth in Exhibit B.
    Capacity Planning|Provider shall plan and maintain sufficient capacity in the Platform to process Customer's forecast shipment volumes, as communicated by Customer through the Governance Committee.
    Business Continuity|Provider shall maintain and test business continuity and disaster recovery plans for the Platform and the Services that meet the requirements of Exhibit E.
    Reporting|Provider shall deliver to Customer a monthly service report summarizing its performance against the Service Levels, incident volumes and trends, and the status of open problems and requested changes.
    Continuous Service|Provider acknowledges that the Services support operations that run twenty-four hours a day, and that interruptions to the Services may disrupt the movement of freight for Customer and its own customers.
    """,
    duties="""
    P|maintain sufficient numbers of qualified personnel to perform the Services in accordance with the Service Levels
    P|keep Customer reasonably informed of any matter that could materially affect the delivery of the Services
    P|provide Customer with reasonable advance notice of any planned maintenance that will affect the availability of the Platform
    P|maintain an accurate inventory of the configuration items used to provide the Services
    P|coordinate the delivery of the Services with Customer's designated project manager
    P|perform the Services in a manner that does not unreasonably interfere with Customer's business operations
    P|comply with Customer's reasonable site and security policies when performing Services at Customer facilities
    P|use commercially reasonable efforts to identify opportunities to improve the efficiency of the Services
    P|document all material configuration changes made to Customer's tenant of the Platform
    P|promptly correct any error in the Services that is reported by Customer or discovered by Provider
    C|designate a project manager with authority to make day-to-day decisions regarding the Services
    C|promptly review and respond to reasonable requests from Provider for information relating to the Services
    C|ensure that its Authorized Users receive the training reasonably necessary to use the Platform effectively
    E|appoint a relationship manager to act as its primary point of contact for matters relating to the Services
    E|cooperate in good faith with the other Party to facilitate the efficient delivery of the Services
    """,
    rules="""
    Provider becomes aware of any circumstance that is likely to delay the delivery of the Services => P|notify Customer in writing promptly and propose a plan to mitigate the impact on the Services
    the volume of shipments processed on the Platform exceeds the forecast communicated by Customer by more than twenty percent (20%) => B|meet within ten (10) Business Days to agree any adjustment to the capacity plan
    any planned maintenance is expected to exceed the maintenance window set forth in Exhibit B => P|obtain Customer's prior written approval before extending the maintenance
    Customer reasonably determines that any Provider personnel are not performing the Services in accordance with this Agreement => P|replace such personnel promptly with suitably qualified personnel at no additional charge
    a change in Applicable Law requires a change to the manner in which the Services are performed => B|negotiate in good faith the changes to the Services required to comply with such law
    an update to the Platform adversely affects any integration with Customer's systems => P|restore the affected functionality within the resolution times set forth in Exhibit B
    an update to the Platform adversely affects any integration with Customer's systems => P|provide Customer with a written root cause analysis within ten (10) Business Days after restoration
    Customer reports an error in the Services that cannot be corrected promptly => P|implement a workaround at no additional charge until a permanent correction is available
    """,
    acks="""
    the Services will evolve during the Term as Customer's logistics network and business requirements change
    Provider's performance of the Services may depend on the timely performance of Customer's obligations under this Agreement
    the Platform is a multi-tenant service and certain aspects of its operation are common to all Provider customers
    Customer's carriers and logistics partners are not parties to this Agreement
    """,
)

_topic(
    "sow",
    heads="""
    Project Management|Provider shall manage each project under a Statement of Work using a documented project management methodology and shall maintain a project plan identifying tasks, dependencies and responsible parties.
    Status Reporting|Provider shall deliver written status reports for each active Statement of Work at least every two (2) weeks, describing progress against the project plan, risks, issues and decisions required from Customer.
    Milestones|Each Statement of Work may identify milestones and the dates by which they are to be achieved, together with any milestone payments that become due upon acceptance.
    Delays|Provider shall notify Customer promptly upon becoming aware that any milestone is likely to be delayed, stating the cause of the delay, its expected duration and the steps being taken to mitigate it.
    Assumptions and Dependencies|Each Statement of Work shall identify the material assumptions on which Provider's estimates are based and the Customer dependencies that Provider requires to perform the Services.
    Fixed-Fee Projects|Where a Statement of Work specifies a fixed fee, Provider shall perform all Services described in it for that fee, and any overrun in time or materials shall be borne by Provider.
    Time-and-Materials Projects|Where a Statement of Work specifies time-and-materials pricing, Provider shall record all time spent in increments of no more than fifteen (15) minutes and shall provide supporting time records with each invoice.
    Project Closure|Upon completion of each Statement of Work, Provider shall deliver a closure report summarizing the Deliverables accepted, any outstanding items and lessons learned.
    """,
    duties="""
    P|maintain the project plan for each Statement of Work and update it at least weekly
    P|identify and record all material project risks in a risk register available to Customer
    P|obtain Customer's written approval before commencing any work not described in the applicable Statement of Work
    P|provide Customer with draft Deliverables for review sufficiently in advance of the applicable milestone dates
    P|track the effort expended under each Statement of Work against the estimates set forth in it
    P|assign a dedicated project manager to each Statement of Work with an estimated value above $100,000
    C|provide timely decisions on matters identified in the project plan as requiring Customer approval
    C|make available subject matter experts with knowledge of its transportation and warehousing processes
    C|complete its review of draft Deliverables within the review periods specified in the project plan
    E|participate in the project steering meetings described in the applicable Statement of Work
    E|identify to the other Party any dependency on third parties that may affect the project schedule
    """,
    rules="""
    a milestone is not achieved by the date specified in the applicable Statement of Work => P|deliver a recovery plan within five (5) Business Days describing the actions it will take to achieve the milestone
    a milestone is delayed for reasons attributable to Provider => P|assign such additional resources as are necessary to achieve the milestone at no additional charge
    the actual effort under a time-and-materials Statement of Work is expected to exceed the estimate by more than ten percent (10%) => P|notify Customer in writing and submit a change request before incurring the additional effort
    Provider performs effort in excess of an estimate without an approved Change Order => C|have no obligation to pay for such additional effort
    a Customer dependency is not satisfied by the date identified in the project plan => P|be entitled to an equitable adjustment of the affected milestone dates through the Change Control procedure
    the Parties cannot agree on whether a requested change falls within the scope of a Statement of Work => B|escalate the matter to the Governance Committee for resolution in accordance with Article 17
    Customer requests that Provider accelerate the delivery of any Deliverable => P|submit a change request describing the impact on the schedule and the Fees
    """,
    acks="""
    the estimates in each Statement of Work are based on the assumptions set forth in it
    acceptance of a Deliverable does not waive any warranty applicable to that Deliverable
    the schedule in a Statement of Work may be adjusted only through the Change Control procedure
    Customer's review of a project plan does not relieve Provider of responsibility for its adequacy
    """,
)

_topic(
    "customer",
    heads="""
    Customer Systems|Customer shall be responsible for the operation and maintenance of its own systems, networks and data sources that connect to the Platform, other than the components provided by Provider.
    Authorized User Accounts|Customer shall be responsible for the administration of Authorized User accounts, including promptly disabling accounts of personnel who no longer require access.
    Accuracy of Customer Data|Customer shall use commercially reasonable efforts to ensure that Customer Data submitted to the Platform is accurate and complete, and Provider shall not be responsible for errors in outputs caused by inaccurate Customer Data.
    Third-Party Carriers|Customer shall be responsible for obtaining any consents required from its carriers and logistics partners for the transmission of their data to the Platform.
    Access to Facilities|When Provider personnel require access to Customer facilities, Customer shall provide suitable workspace, network connectivity and site orientation.
    """,
    duties="""
    C|maintain the confidentiality of the credentials used by Authorized Users to access the Platform
    C|notify Provider promptly of any unauthorized use of the Platform of which it becomes aware
    C|provide Provider with accurate forecasts of its shipment volumes at least quarterly
    C|ensure that its network connections to the Platform meet the minimum requirements set forth in the Documentation
    C|obtain all consents required for Provider to access Customer Materials that are licensed from third parties
    C|use the Platform only in accordance with the Documentation and Applicable Law
    C|maintain current versions of the web browsers supported by the Platform as identified in the Documentation
    E|inform the other Party of any change to its designated contacts for the Services
    """,
    rules="""
    Customer fails to provide any information or access required by the applicable Statement of Work => P|be entitled to an equitable adjustment of the schedule through the Change Control procedure
    Customer anticipates that it will be unable to meet any of its obligations under a Statement of Work => C|notify Provider in writing promptly and cooperate with Provider to agree an adjusted schedule
    a third-party license required for the Customer Materials expires or is terminated => C|notify Provider promptly and either renew the license or agree with Provider an alternative approach
    Customer becomes aware that an Authorized User has violated Section 4.3 => C|take prompt action to suspend the access of the relevant Authorized User
    Customer's forecast shipment volumes change by more than twenty-five percent (25%) => B|meet promptly to discuss any adjustments required to the Services
    """,
    acks="""
    Customer is responsible for all activities conducted under its Authorized User accounts
    Provider's ability to meet certain Service Levels depends on the availability of Customer systems
    Customer Materials remain the property of Customer or its licensors
    """,
)

_topic(
    "fees",
    heads="""
    Invoice Requirements|Each invoice shall include the purchase order number provided by Customer, a description of the Services invoiced, the applicable period and a breakdown of any taxes.
    Set-Off|Customer may set off against any amount payable to Provider any Service Credits and any undisputed amount owed by Provider to Customer under this Agreement.
    Most Favored Pricing|Provider represents that the Fees are no less favorable than the fees charged by Provider to similarly situated customers purchasing similar services in similar volumes.
    Currency|All Fees are stated and payable in United States dollars.
    Records of Charges|Provider shall maintain complete and accurate records of all charges invoiced to Customer, with sufficient supporting detail to permit verification of the Fees.
    """,
    duties="""
    P|submit each invoice electronically through the billing portal designated by Customer
    P|issue credit notes for any Service Credits on the next invoice following the month in which they accrue
    P|provide reasonable supporting documentation for any expenses claimed
    P|not invoice any Fees more than one hundred eighty (180) days after they are incurred
    C|notify Provider of any change to its invoicing address or purchase order requirements
    C|pay all undisputed Fees in accordance with Section 5.4
    """,
    rules="""
    Customer disputes any portion of an invoice in good faith => C|pay the undisputed portion of the invoice in accordance with Section 5.4
    an invoice does not comply with the requirements of this Agreement => P|issue a corrected invoice within ten (10) Business Days after Customer's notice
    any Fees are calculated on the basis of incorrect volume data => B|reconcile the relevant volume data within thirty (30) days and make any necessary adjustment on the next invoice
    the Parties agree to change the scope of the Services in a way that affects the Fees => B|document the adjustment to the Fees in a Change Order before the change takes effect
    Provider identifies an underbilling of any Fees => P|invoice the underbilled amount within ninety (90) days after the end of the month in which the Fees accrued
    """,
    acks="""
    the Fees represent the entire compensation payable to Provider for the Services unless otherwise agreed in a Statement of Work
    Service Credits are calculated as described in Exhibit B and credited against the Fees
    payment of an invoice does not constitute acceptance of the Services invoiced
    """,
)

_topic(
    "termination",
    heads="""
    Partial Termination|Where this Agreement permits termination for cause, the terminating Party may elect to terminate only the Statement of Work or Services affected by the breach, in which case the Fees shall be equitably reduced.
    Termination for Regulatory Reasons|Either Party may terminate the affected Services upon written notice if a change in Applicable Law or an order of a Governmental Authority makes continued performance unlawful and the Parties cannot agree on a lawful alternative within thirty (30) days.
    Suspension|Provider may suspend Customer's access to the Platform only to the extent reasonably necessary to prevent imminent harm to the Platform or other customers, and shall restore access as soon as the threat is removed.
    Final Invoice|Within sixty (60) days after the effective date of any termination, Provider shall issue a final invoice reconciling all Fees, Service Credits and refunds due between the Parties.
    """,
    duties="""
    P|continue to provide the Services in accordance with this Agreement until the effective date of termination
    P|cooperate fully with Customer and any successor provider designated by Customer
    P|return all Customer property in its possession within fifteen (15) Business Days after termination
    P|provide Customer with a complete export of Customer Data upon request at no additional charge
    C|pay for all Services properly performed through the effective date of termination
    E|return or destroy the other Party's Confidential Information as required by Article 8
    """,
    rules="""
    this Agreement or any Statement of Work is terminated for any reason => P|provide transition assistance in accordance with Section 7.5 and Exhibit F
    Provider suspends any part of the Services => P|give Customer written notice describing the reasons for the suspension and the steps required to lift it
    Customer elects to transition the Services to a successor provider => P|cooperate fully with the successor provider and provide the information reasonably required for the transition
    a Party disputes the validity of a termination notice => E|continue to perform its obligations pending resolution of the dispute in accordance with Article 17
    """,
    acks="""
    the rights of termination in this Article 7 are in addition to any other rights and remedies available under this Agreement
    termination shall not affect any rights or liabilities accrued before the effective date of termination
    an orderly transition of the Services is essential to the continuity of Customer's operations
    """,
)

_topic(
    "confidentiality",
    heads="""
    Security of Confidential Information|The Receiving Party shall maintain reasonable administrative, technical and physical safeguards to protect the Disclosing Party's Confidential Information against unauthorized access and use.
    Notice of Unauthorized Disclosure|The Receiving Party shall notify the Disclosing Party promptly upon becoming aware of any unauthorized use or disclosure of the Disclosing Party's Confidential Information.
    Residual Knowledge|Nothing in this Article 8 shall restrict either Party's personnel from using general skills, know-how and experience retained in their unaided memory, provided that this Section does not grant any license under the other Party's Intellectual Property Rights.
    Confidentiality of Agreement Terms|The terms of this Agreement are Confidential Information of both Parties, except that either Party may disclose them to actual or prospective investors, acquirers and lenders bound by obligations of confidentiality.
    Marking|The absence of a confidentiality marking shall not remove information from the definition of Confidential Information where its confidential nature is reasonably apparent.
    Professional Advisors|Each Party may disclose the other Party's Confidential Information to its attorneys, accountants and auditors who are bound by professional or written obligations of confidentiality.
    """,
    duties="""
    R|limit access to the Disclosing Party's Confidential Information to persons who need to know it for purposes of this Agreement
    R|ensure that its personnel are informed of the confidential nature of the Disclosing Party's Confidential Information
    R|not make copies of the Disclosing Party's Confidential Information except as reasonably necessary to perform this Agreement
    R|reproduce all proprietary notices on any permitted copies of the Disclosing Party's Confidential Information
    R|store the Disclosing Party's Confidential Information in a secure location with access controls appropriate to its sensitivity
    P|ensure that Customer Data is not used to train models for the benefit of other Provider customers
    P|restrict access to Customer Data to personnel who require access to provide the Services
    """,
    rules="""
    the Receiving Party becomes aware of any loss or unauthorized disclosure of Confidential Information => R|take all reasonable steps to recover the Confidential Information and prevent further unauthorized disclosure
    any person to whom the Receiving Party has disclosed Confidential Information breaches an obligation of confidentiality => R|be responsible for such breach as if it had been committed by the Receiving Party
    a Governmental Authority requests access to the Disclosing Party's Confidential Information => R|comply with Section 8.4 before making any disclosure
    Confidential Information is transmitted to the Receiving Party in error => R|promptly notify the Disclosing Party and return or destroy the misdirected information
    """,
    acks="""
    each Party's Confidential Information is valuable and proprietary to it
    the obligations in this Article 8 apply to Confidential Information disclosed before the Effective Date in connection with the negotiation of this Agreement
    the Disclosing Party makes no warranty as to the accuracy or completeness of its Confidential Information except as set forth in this Agreement
    """,
)

_topic(
    "data",
    heads="""
    Encryption|Provider shall encrypt Customer Data in transit over public networks using TLS 1.2 or higher and at rest using AES-256 or an equivalent industry-standard algorithm.
    Access Controls|Provider shall restrict access to Customer Data to personnel with a need to know and shall require multi-factor authentication for all administrative access to the production environment.
    Vulnerability Management|Provider shall perform vulnerability scans of the Platform at least monthly and an independent penetration test at least annually, and shall remediate identified vulnerabilities within the timeframes set forth in Exhibit E.
    Backups|Provider shall perform daily backups of Customer Data, store backups in a geographically separate location within the United States, and test the restoration of backups at least quarterly.
    Personnel Screening|Provider shall conduct background checks, to the extent permitted by Applicable Law, on all personnel who will have access to Customer Data.
    Security Assessments|Upon Customer's request, not more than once per year, Provider shall complete Customer's reasonable information security questionnaire and provide its most recent SOC 2 Type II report.
    Logging and Monitoring|Provider shall log access to Customer Data and security-relevant events on the Platform and shall retain such logs for at least one (1) year.
    Data Minimization|Provider shall collect and process only the Customer Data necessary to provide the Services and shall not combine Customer Data with data from other sources except as required to provide the Services.
    """,
    duties="""
    P|maintain an inventory of the systems used to store or process Customer Data
    P|review user access rights to systems containing Customer Data at least quarterly
    P|promptly apply security patches rated critical by the relevant vendor
    P|segregate Customer Data from the data of Provider's other customers using logical access controls
    P|train its personnel with access to Customer Data on information security at least annually
    P|maintain a documented incident response plan and test it at least annually
    P|ensure that its Subcontractors implement security measures no less protective than those required by this Article 9
    C|maintain reasonable security controls on the systems it uses to access the Platform
    E|designate a security contact responsible for coordinating security matters between the Parties
    """,
    rules="""
    a Security Incident occurs => P|provide Customer with a written report describing the nature of the incident, the data affected and the remediation steps taken
    a Security Incident results from Provider's breach of this Agreement => P|bear the reasonable costs of notifying affected individuals and of providing credit monitoring where required by Applicable Law
    an independent assessment identifies a high or critical vulnerability in the Platform => P|remediate the vulnerability within the timeframes set forth in Exhibit E and confirm remediation in writing
    Provider intends to make a material change to its information security program => P|give Customer at least thirty (30) days' prior written notice and ensure that the change does not reduce the overall level of security
    a Subcontractor with access to Customer Data suffers a security breach affecting Customer Data => P|treat the breach as a Security Incident under Section 9.3
    Customer reasonably believes that Provider is not in compliance with this Article 9 => B|cooperate in good faith to investigate the matter and agree on appropriate corrective action
    """,
    acks="""
    no security measure can guarantee the prevention of all Security Incidents
    Customer Data may include commercially sensitive rate and lane information
    compliance with this Article 9 is a material obligation of Provider under this Agreement
    """,
)

_topic(
    "ip",
    heads="""
    Third-Party Components|The Platform may include third-party and open source components, and Provider shall ensure that no such component is licensed on terms that would require the disclosure of Customer Data or Customer software.
    Reservation of Rights|Each Party reserves all rights not expressly granted to the other Party in this Agreement.
    Trademarks|Neither Party acquires any right in the trademarks or service marks of the other Party under this Agreement.
    Further Assurances|Each Party shall execute such documents and take such further actions as the other Party may reasonably request to perfect the ownership and license rights granted in this Article 10.
    Escrow|Upon Customer's written request, Provider shall deposit the source code for any custom Deliverables with an escrow agent reasonably acceptable to both Parties.
    """,
    duties="""
    P|maintain an accurate list of the open source components included in the Platform
    P|ensure that its personnel have assigned to Provider all rights necessary to grant the rights set forth in this Article 10
    P|not incorporate any Customer Confidential Information into the Provider Materials
    C|not remove or obscure any proprietary notices on the Platform or the Documentation
    E|promptly notify the other Party of any infringement of its Intellectual Property Rights of which it becomes aware
    """,
    rules="""
    a third party asserts that the use of any Deliverable infringes its Intellectual Property Rights => P|defend and resolve the claim in accordance with Article 12
    Provider becomes aware that an open source component is subject to license terms inconsistent with this Agreement => P|replace the affected component with a functionally equivalent component at its own expense
    the ownership of any Deliverable is disputed => B|cooperate in good faith to confirm the ownership of the Deliverable in writing
    """,
    acks="""
    Provider's business includes the development of software and services similar to the Deliverables for other customers
    the license to Provider Materials incorporated in the Deliverables survives termination of this Agreement
    """,
)

_topic(
    "warranties",
    heads="""
    Compliance Warranty|Provider warrants that the Services, as provided by Provider, will comply with all Applicable Laws that apply to Provider as a provider of software and professional services.
    Non-Infringement|Provider warrants that, to its knowledge, the Platform does not infringe the Intellectual Property Rights of any third party.
    Authority of Personnel|Each Party warrants that the person executing this Agreement on its behalf has been duly authorized to do so.
    """,
    duties="""
    P|promptly notify Customer of any breach of the warranties in this Article 11 of which it becomes aware
    P|maintain all licenses, permits and approvals required to perform the Services
    E|maintain its corporate existence and good standing during the Term
    """,
    rules="""
    Provider breaches any warranty set forth in this Article 11 => P|re-perform the affected Services within thirty (30) days after notice
    a Deliverable fails to conform to its specifications during the warranty period => P|correct the non-conformity at no additional charge to Customer
    """,
    acks="""
    the warranties in this Article 11 are conditioned on Customer's use of the Platform in accordance with the Documentation
    the warranty remedies in Section 11.3 are in addition to any Service Credits that may apply
    """,
)

_topic(
    "indemnity",
    heads="""
    Settlement|No Party shall settle any claim subject to indemnification in a manner that admits fault on behalf of the indemnified Party without its prior written consent.
    Participation|The indemnified Party may participate in the defense of any claim with counsel of its own choosing at its own expense.
    Regulatory Proceedings|The indemnification obligations in this Article 12 extend to investigations and proceedings brought by any Governmental Authority arising from the matters described in Section 12.1 or Section 12.2.
    """,
    duties="""
    E|keep the other Party reasonably informed of the status of any claim for which it seeks or provides indemnification
    E|preserve all documents and information relevant to any claim subject to indemnification
    P|retain counsel reasonably acceptable to Customer for the defense of any claim under Section 12.1
    """,
    rules="""
    the indemnifying Party fails to assume the defense of a claim within fifteen (15) days after notice => I|be entitled to defend the claim itself and recover its reasonable costs of defense from the indemnifying Party
    a claim involves allegations for which indemnification is available and allegations for which it is not => B|allocate the costs of defense in proportion to their respective responsibility
    """,
    acks="""
    this Article 12 states the entire liability of the indemnifying Party for third-party claims of the kind described in it
    the indemnification obligations in this Article 12 are not subject to the exclusions in Section 13.1
    """,
)

_topic(
    "audit",
    heads="""
    Regulatory Audits|Provider shall cooperate with any audit or examination of Customer by a Governmental Authority to the extent it relates to the Services.
    Audit Cooperation|Provider shall provide auditors with reasonable access to its personnel, records and facilities relevant to the Services during normal business hours.
    Third-Party Reports|Provider shall provide Customer with copies of its most recent independent audit reports relevant to the Services upon request.
    """,
    duties="""
    P|retain all records relevant to the Fees for at least three (3) years after the end of the calendar year to which they relate
    P|respond to reasonable audit information requests within ten (10) Business Days
    C|ensure that its auditors comply with Provider's reasonable security and confidentiality requirements
    E|bear its own costs of any audit except as provided in Section 21.3
    """,
    rules="""
    an audit identifies a material non-compliance with this Agreement => P|deliver a remediation plan within thirty (30) days and implement it in accordance with its terms
    Provider disputes the findings of an audit => P|notify Customer in writing within ten (10) Business Days, and the dispute shall be referred to the Governance Committee
    """,
    acks="""
    audits shall be conducted so as not to unreasonably interfere with Provider's business
    Provider is not required to disclose information relating to its other customers in any audit
    """,
)

_topic(
    "compliance",
    heads="""
    Equal Opportunity|Each Party shall comply with all applicable equal employment opportunity laws in connection with its performance of this Agreement.
    Supplier Code of Conduct|Provider shall comply with the principles of Customer's Supplier Code of Conduct, as provided to Provider in writing, to the extent applicable to the Services.
    Accessibility|Provider shall use commercially reasonable efforts to ensure that the user interfaces of the Platform conform to the Web Content Accessibility Guidelines, version 2.1, Level AA.
    """,
    duties="""
    P|obtain and maintain all registrations required for it to provide the Services in each jurisdiction where Services are performed
    P|promptly notify Customer of any investigation by a Governmental Authority relating to the Services
    E|maintain appropriate internal controls to ensure compliance with applicable anti-corruption laws
    """,
    rules="""
    a Party becomes aware of any violation of this Article 22 in connection with this Agreement => T|promptly notify the other Party and cooperate in any resulting investigation
    a change in Applicable Law materially increases the cost of providing the Services => B|negotiate in good faith any equitable adjustment required to the Services or the Fees
    """,
    acks="""
    each Party is responsible for its own compliance with Applicable Law
    compliance with this Article 22 is a material term of this Agreement
    """,
)

_topic(
    "sla",
    heads="""
    Measurement|Provider shall measure its performance against each Service Level using automated monitoring tools that are reasonably acceptable to Customer, and shall make the underlying measurement data available to Customer upon request.
    Monthly Reporting|Within ten (10) Business Days after the end of each calendar month, Provider shall deliver a Service Level report showing its performance against each Service Level, any Service Credits due and the root cause of each Service Level failure.
    Root Cause Analysis|For each Severity 1 or Severity 2 incident, Provider shall deliver a written root cause analysis within five (5) Business Days after resolution, identifying the underlying cause and the preventive actions to be taken.
    Continuous Improvement|At the start of each contract year, the Parties shall review the Service Levels and may agree to raise the targets to reflect improvements in Provider's performance and in industry standards.
    Chronic Failure|A chronic failure occurs if Provider fails the same Service Level in three (3) or more months in any rolling six (6) month period.
    Maintenance Windows|Provider may perform scheduled maintenance on the Platform during the maintenance window between 01:00 and 05:00 Eastern Time on Sundays, provided that it gives Customer at least five (5) Business Days' prior notice.
    Exclusions|Provider shall not be responsible for a failure to meet a Service Level to the extent caused by Customer's breach of this Agreement, by scheduled maintenance performed in accordance with this Exhibit, or by a Force Majeure Event.
    Earn-Back|If Provider meets or exceeds every Service Level for the three (3) consecutive months following a month in which a Service Credit was issued, Provider may earn back fifty percent (50%) of that Service Credit.
    Service Desk|Provider shall operate a service desk that receives and logs all incidents and requests reported by Customer, assigns a unique reference number to each, and tracks them to closure.
    Escalation Contacts|Provider shall maintain and provide to Customer a current list of escalation contacts for each severity level, including at least one contact available at all times for Severity 1 incidents.
    """,
    duties="""
    P|classify each incident according to the severity definitions set forth in this Exhibit
    P|notify Customer of any Severity 1 incident within fifteen (15) minutes after detection
    P|provide status updates on open Severity 1 incidents at least every sixty (60) minutes until resolution
    P|maintain a public status page showing the current availability of each Platform component
    P|retain Service Level measurement data for at least twenty-four (24) months
    P|provide Customer with read-only access to the monitoring dashboards used to measure availability
    C|report incidents through the service desk channels designated by Provider
    C|provide reasonable assistance to Provider in reproducing and diagnosing reported incidents
    E|review the monthly Service Level report at the next meeting of the Governance Committee
    """,
    rules="""
    Provider fails to meet any Service Level in any month => P|issue the applicable Service Credit on the next invoice without the need for a claim by Customer
    the Parties disagree regarding the severity classification of an incident => B|resolve the disagreement through the escalation procedure, with Customer's reasonable classification prevailing in the interim
    monitoring data for any period is unavailable or incomplete => P|treat the period for which data is unavailable as Downtime unless it demonstrates otherwise
    a chronic failure occurs with respect to any Service Level => P|prepare and implement a corrective action plan approved by the Governance Committee
    """,
    acks="""
    the Service Levels represent minimum acceptable levels of performance and not target levels
    Service Credits are a price adjustment and not a penalty
    the total Service Credits in any month shall not exceed twenty-five percent (25%) of the Monthly Platform Fee for that month
    """,
)

_topic(
    "dpa",
    heads="""
    Roles of the Parties|With respect to Personal Data, Customer is the controller (or, where Customer acts on behalf of its own customers, a processor), and Provider is a processor (or sub-processor) acting on Customer's behalf.
    Processing Instructions|Provider shall process Personal Data only on the documented instructions of Customer, including those set out in this Agreement and this Addendum, unless required to do otherwise by Applicable Law.
    Confidentiality of Processing|Provider shall ensure that all persons authorized to process Personal Data are subject to a binding duty of confidentiality.
    Sub-processors|Customer grants a general authorization for Provider to engage the sub-processors listed in Annex 3, subject to Provider giving Customer at least thirty (30) days' prior written notice of any intended addition or replacement of a sub-processor.
    Objection to Sub-processors|Customer may object to a new sub-processor on reasonable data protection grounds within the notice period, and if the Parties cannot resolve the objection within thirty (30) days, Customer may terminate the affected Services without penalty.
    Data Subject Requests|Provider shall promptly notify Customer of any request from a data subject to exercise rights under Applicable Law and shall not respond to the request except on Customer's documented instructions.
    Assistance|Provider shall provide reasonable assistance to Customer in ensuring compliance with its obligations regarding security, breach notification, data protection impact assessments and prior consultation with supervisory authorities.
    International Transfers|Provider shall not transfer Personal Data to a country outside the United States, the European Economic Area or the United Kingdom unless the transfer is subject to an appropriate transfer mechanism under Applicable Law.
    Standard Contractual Clauses|To the extent Personal Data originating in the European Economic Area is transferred to Provider in the United States, the Parties agree to the standard contractual clauses adopted by the European Commission, Module Two (controller to processor), which are incorporated by reference.
    Deletion and Return|Upon termination of the Services, Provider shall, at Customer's choice, delete or return all Personal Data, and shall delete existing copies unless Applicable Law requires their retention.
    Demonstration of Compliance|Provider shall make available to Customer all information reasonably necessary to demonstrate compliance with this Addendum and shall allow for and contribute to audits conducted in accordance with Article 21.
    Personal Data Breach|Provider shall notify Customer without undue delay, and in any event within seventy-two (72) hours, after becoming aware of a personal data breach affecting Personal Data, and shall provide the information Customer reasonably requires to meet its own notification obligations.
    California Consumer Privacy Act|To the extent the California Consumer Privacy Act applies, Provider is a service provider and shall not sell or share Personal Data, or retain, use or disclose it outside the direct business relationship between the Parties.
    Records of Processing|Provider shall maintain a record of all categories of processing activities carried out on behalf of Customer, in the form required by Applicable Law.
    Government Access Requests|If Provider receives a request from a public authority for access to Personal Data, it shall, to the extent legally permitted, notify Customer promptly and challenge the request if there are reasonable grounds to consider it unlawful.
    """,
    duties="""
    P|process Personal Data only for the purposes described in Annex 1
    P|inform Customer immediately if, in its opinion, an instruction of Customer infringes Applicable Law
    P|impose on each sub-processor data protection obligations no less protective than those in this Addendum
    P|remain fully liable to Customer for the performance of each sub-processor's obligations
    P|implement the technical and organizational measures described in Annex 2
    P|maintain an up-to-date list of its sub-processors and make it available to Customer upon request
    P|assist Customer in responding to requests from data subjects by appropriate technical and organizational measures
    P|not attempt to re-identify any individual from de-identified or pseudonymized Personal Data
    C|ensure that it has a lawful basis for the processing of Personal Data under this Addendum
    C|provide any notices to data subjects required by Applicable Law in relation to the processing
    E|cooperate with any supervisory authority in the performance of its tasks
    """,
    rules="""
    Provider receives a complaint or inquiry relating to the processing of Personal Data => P|notify Customer promptly in writing and provide reasonable assistance in responding
    Provider intends to engage a new sub-processor => P|give Customer notice identifying the sub-processor, its location and the processing it will perform
    a supervisory authority initiates an investigation relating to the processing of Personal Data => B|cooperate with each other and with the supervisory authority in good faith
    Applicable Law prevents Provider from complying with Customer's instructions => P|inform Customer promptly, unless legally prohibited, and suspend the affected processing until the Parties agree on a compliant alternative
    a data protection impact assessment identifies a high risk that cannot be mitigated by the measures in Annex 2 => B|consult with each other in good faith on appropriate supplementary measures
    """,
    acks="""
    Customer's instructions are set out in this Agreement, this Addendum and any written instructions agreed through the Governance Committee
    this Addendum does not reduce the protection afforded to Personal Data under the body of the Agreement
    the limitation of liability in Article 13 applies to this Addendum, subject to the exclusions in Section 13.3
    """,
)

_topic(
    "security",
    heads="""
    Security Governance|Provider shall designate a qualified information security officer responsible for the information security program and shall review the program at least annually with executive management.
    Asset Management|Provider shall maintain an inventory of all information assets used to provide the Services, with an identified owner and classification for each asset.
    Identity and Access Management|Provider shall grant access to systems processing Customer Data on the principle of least privilege and shall remove access within twenty-four (24) hours after a person no longer requires it.
    Cryptography|Provider shall manage cryptographic keys using a dedicated key management service, rotate keys at least annually and restrict access to keys to authorized personnel.
    Physical Security|Provider shall host the Platform only in data centers that maintain SOC 2 Type II or ISO/IEC 27001 certification and provide controlled physical access, video surveillance and environmental protections.
    Network Security|Provider shall protect the Platform with firewalls, network segmentation and intrusion detection, and shall restrict administrative interfaces to authorized networks.
    Secure Development|Provider shall follow a documented secure software development lifecycle that includes threat modeling, peer code review, static and dynamic security testing, and dependency scanning.
    Change Management|Provider shall manage changes to the production environment through a documented change management process that includes risk assessment, testing, approval and rollback planning.
    Vulnerability Remediation|Provider shall remediate vulnerabilities rated critical within seven (7) days, high within thirty (30) days, and medium within ninety (90) days after identification.
    Security Monitoring|Provider shall collect security logs from all production systems in a centralized system, monitor them continuously for suspicious activity, and retain them for at least one (1) year.
    Endpoint Security|Provider shall deploy endpoint detection and response software, full-disk encryption and automatic screen locking on all devices used to access Customer Data.
    Supplier Security|Provider shall assess the security of each Subcontractor before engagement and at least annually thereafter, using a risk-based approach.
    Business Continuity|Provider shall maintain a business continuity and disaster recovery plan for the Platform with a recovery time objective of four (4) hours and a recovery point objective of one (1) hour, and shall test it at least annually.
    Security Awareness|Provider shall provide security awareness training to all personnel upon hire and at least annually, including training on phishing, data handling and incident reporting.
    Penetration Testing|Provider shall engage an independent, qualified third party to perform a penetration test of the Platform at least annually and shall provide Customer with an executive summary of the results.
    Data Retention|Provider shall retain Customer Data only for as long as required to provide the Services or as required by Applicable Law, and shall securely dispose of media containing Customer Data.
    """,
    duties="""
    P|document all security policies and make them available to its personnel
    P|review its security policies at least annually and after any significant change to the Services
    P|enforce multi-factor authentication for all remote access to its corporate and production networks
    P|prohibit the use of shared or generic accounts for administrative access
    P|record the results of each control test and track identified deficiencies to remediation
    P|maintain hardened configuration baselines for all server operating systems and databases
    P|ensure that production data is not used in development or test environments without Customer's consent
    P|conduct periodic tabletop exercises of its incident response plan with key personnel
    P|monitor the availability and integrity of backups and alert on any backup failure
    P|maintain a register of security exceptions approved by its information security officer
    C|notify Provider of any security requirement arising from Customer's own regulatory obligations
    """,
    rules="""
    Provider is unable to meet any requirement in this Exhibit => P|notify Customer in writing, describing the compensating controls in place and the date by which the requirement will be met
    a security test identifies a control deficiency => P|track the deficiency in its risk register and report on its remediation at each Governance Committee meeting
    Provider's independent auditor issues a qualified opinion on any control relevant to the Services => P|provide Customer with a copy of the relevant section of the report and its management response
    a security exception remains open for more than ninety (90) days => P|present the exception and its remediation plan at the next meeting of the Governance Committee
    """,
    acks="""
    the requirements in this Exhibit are minimum requirements and Provider may implement additional controls
    the requirements in this Exhibit may be updated by agreement to reflect changes in threats and technology
    """,
)

_topic(
    "transition",
    heads="""
    Exit Plan|Within ninety (90) days after the Effective Date, Provider shall deliver to Customer a written exit plan describing how the Services would be transitioned to Customer or a successor provider, and shall update it annually.
    Data Export|During the transition period, Provider shall export all Customer Data in CSV, JSON or Parquet format, together with a data dictionary describing each field, within ten (10) Business Days after each request.
    Knowledge Transfer|Provider shall provide reasonable knowledge transfer to Customer and any successor provider, including walkthroughs of Customer-specific configurations, integrations and reports.
    Continuity of Service|During the transition period, Provider shall continue to provide the Services at the Service Levels and shall not reduce staffing or support below pre-termination levels.
    Transition Fees|Transition Services requested by Customer that are not included in the Monthly Platform Fee shall be charged at the rates set forth in Exhibit C, subject to an estimate approved by Customer.
    Disaster Declaration|Provider may declare a disaster and invoke its disaster recovery plan if a primary hosting region becomes unavailable or is expected to be unavailable for more than two (2) hours.
    Recovery Testing|Provider shall test its disaster recovery plan at least annually by failing over the production Platform to its secondary hosting region, and shall provide Customer with a summary of the results.
    Crisis Communications|During any disaster, Provider shall communicate with Customer through the escalation contacts identified in Exhibit B at least every two (2) hours until the Services are restored.
    """,
    duties="""
    P|maintain the exit plan in a form that can be executed without reliance on key individuals
    P|provide a complete and accurate description of all Customer-specific configurations of the Platform
    P|respond promptly to reasonable questions from the successor provider regarding the Services
    P|maintain secondary hosting capacity sufficient to restore the Platform within the recovery time objective
    C|designate a transition manager responsible for coordinating the transition on Customer's behalf
    E|cooperate in good faith to minimize disruption to Customer's operations during the transition
    """,
    rules="""
    Customer notifies Provider that it requires transition assistance => P|deliver a detailed transition plan within fifteen (15) Business Days, for Customer's approval
    a disaster recovery test fails to meet the recovery time objective or recovery point objective => P|correct the deficiency and repeat the test within sixty (60) days
    the successor provider requires information that is Provider's Confidential Information => P|disclose the information, subject to the successor provider entering into a reasonable confidentiality agreement
    """,
    acks="""
    the continuity of Customer's logistics operations during any transition is of critical importance to Customer
    Provider's obligations under this Exhibit apply regardless of the reason for termination of the Agreement
    """,
)

_topic(
    "integration",
    heads="""
    Integration Architecture|Provider shall document the integration architecture between the Platform and Customer's systems, including data flows, interfaces, message formats, volumes and error handling, in the solution design document.
    EDI Standards|All EDI transactions exchanged under this Exhibit shall conform to ANSI ASC X12 version 4010 or later, as agreed in the applicable mapping specification.
    Application Programming Interfaces|Provider shall make the Platform's REST application programming interfaces available to Customer, secured with OAuth 2.0 client credentials and documented in an OpenAPI specification.
    Carrier Connectivity|Provider shall maintain connectivity with each carrier identified in the carrier onboarding plan through EDI, API or telematics feeds, and shall monitor the timeliness of status messages received from each carrier.
    Message Monitoring|Provider shall monitor all inbound and outbound integration messages, alert Customer of failed or delayed messages, and retain message logs for at least ninety (90) days.
    Interface Changes|Neither Party shall change an interface specification agreed under this Exhibit without at least sixty (60) days' prior written notice to the other Party, except for emergency changes required to address a security vulnerability.
    Test Environments|Provider shall provide a test endpoint for each integration that mirrors the production configuration, so that Customer and its carriers can test changes before they are deployed.
    Rate Limits|The Platform's application programming interfaces shall support at least the request rates set forth in the integration specification, and Provider shall notify Customer before throttling any Customer integration.
    Data Quality|Provider shall validate inbound data against the agreed mapping specifications and shall report to Customer, at least weekly, the volume and nature of records rejected or corrected.
    Master Data|Customer shall maintain the master data for its facilities, customers and lanes, and Provider shall synchronize such master data with the Platform at least daily.
    """,
    duties="""
    P|maintain mapping specifications for each EDI transaction set exchanged with Customer or its carriers
    P|acknowledge each inbound EDI transaction with a functional acknowledgment within fifteen (15) minutes
    P|retry failed outbound messages automatically in accordance with the agreed retry schedule
    P|provide Customer with a dashboard showing the status of each integration in near real time
    P|maintain backward compatibility of published application programming interfaces for at least twelve (12) months
    P|assist Customer's carriers in establishing connectivity with the Platform
    C|provide sample files and test data for each integration during the design phase
    C|notify Provider of any planned change to its transportation management system that may affect an integration
    E|designate a technical contact for each integration who is available during Business Hours
    """,
    rules="""
    an integration fails or a backlog of unprocessed messages exceeds thirty (30) minutes => P|notify Customer within thirty (30) minutes and treat the failure as a Severity 2 incident under Exhibit B
    a carrier fails to transmit status messages for more than twenty-five percent (25%) of tendered loads in any week => P|report the failure to Customer and work with the carrier to restore compliant messaging
    inbound data fails validation against the agreed mapping specification => P|quarantine the affected records and report them to Customer for correction
    a Party proposes a change to an interface specification => B|assess the impact of the change jointly and agree an implementation schedule through the Change Control procedure
    """,
    acks="""
    the quality of shipment visibility depends in part on the timeliness of data provided by Customer's carriers
    the integration specifications will be finalized during the design phase of Statement of Work No. 1
    """,
)

_topic(
    "governance",
    heads="""
    Project Governance|The implementation project shall be governed by a steering committee composed of the executive sponsors and project managers of both Parties, which shall meet every two (2) weeks during the project.
    Communication Plan|Provider shall prepare a communication plan identifying the stakeholders, meetings, reports and escalation paths for the project, for approval by Customer within fifteen (15) Business Days after the Effective Date.
    Testing Approach|The Parties shall perform unit, integration, user acceptance and performance testing of each release of the implementation, using test cases derived from the acceptance criteria in this Statement of Work.
    Cutover|Provider shall prepare a detailed cutover plan for the go-live of each phase, including rollback criteria and a schedule of activities for both Parties, at least ten (10) Business Days before the planned go-live date.
    Hypercare|For thirty (30) days following each go-live, Provider shall provide enhanced support, including daily check-in calls and priority handling of all incidents relating to the new functionality.
    Risk Management|Provider shall maintain a risk and issue log for the project, with an owner, mitigation plan and target resolution date for each item, and review it at each steering committee meeting.
    Data Migration|Provider shall migrate historical shipment data for the preceding twenty-four (24) months from Customer's legacy reporting system into the Platform, and shall reconcile record counts and key totals after migration.
    Assumptions|Provider's estimates for this Statement of Work assume that Customer's systems provide the data feeds described in this Exhibit in the formats agreed during the design phase.
    """,
    duties="""
    P|prepare the agenda and minutes of each steering committee meeting
    P|maintain a decision log recording all material project decisions
    P|provide test evidence for each acceptance criterion before requesting acceptance of a Deliverable
    P|coordinate the activities of its Subcontractors with Customer's project team
    C|provide test data that is representative of its production shipment volumes
    C|make its integration environments available during the testing phases
    E|escalate unresolved project issues to the steering committee within five (5) Business Days
    """,
    rules="""
    a go-live date is at risk of delay => P|present options and a recommendation to the steering committee for decision
    the data migration reconciliation identifies discrepancies above the agreed tolerance => P|investigate and correct the discrepancies before the data is used in production
    a required Customer data feed is not available in the agreed format => B|agree on an interim workaround and record it in the decision log
    """,
    acks="""
    the success of the implementation depends on the active participation of both Parties
    the project plan will be refined during the design phase and approved by the steering committee
    """,
)


class ClauseWriter:
    """Builds varied, grammatical clause text from TOPICS with a seeded RNG.

    Sentences are never repeated within one writer (one document); within one section no
    duty, rule or acknowledgment is used twice; and phrases are drawn least-used-first so a
    topic's vocabulary is spread evenly over the document instead of clumping.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.used_heads: set[tuple[str, str]] = set()
        self.counts: dict[tuple[str, int], int] = {}
        self.sec_used: set[tuple[str, int]] = set()
        self.docrefs: list[str] = DOCREFS

    # -- helpers ------------------------------------------------------------------------
    def _pick(self, seq, key: str | None = None):
        """Random element; with key, the least-used element not yet used in this section."""
        if key is None:
            return seq[self.rng.randrange(len(seq))]
        free = [i for i in range(len(seq)) if (key, i) not in self.sec_used]
        if not free:
            return None
        low = min(self.counts.get((key, i), 0) for i in free)
        idx = [i for i in free if self.counts.get((key, i), 0) == low]
        i = idx[self.rng.randrange(len(idx))]
        self.counts[(key, i)] = low + 1
        self.sec_used.add((key, i))
        return seq[i]

    def _once(self, name: str) -> bool:
        """True the first time a once-per-section pattern is used in the current section."""
        if (name, 0) in self.sec_used:
            return False
        self.sec_used.add((name, 0))
        return True

    # -- sentence patterns ------------------------------------------------------------
    def sentence(self, topic: str, sec: str, xrefs: list[str]) -> str | None:
        t = TOPICS[topic]
        r = self.rng

        def make() -> str | None:
            k = r.randrange(12)
            if k in (2, 3, 11):
                rule = self._pick(t["rules"], f"{topic}:rules")
                if rule is None:
                    return None
                trig, rtag, rem = rule
                if k == 2:
                    return f"If {trig}, {ACTOR_MID[rtag]} shall {rem}."
                if k == 3:
                    return (f"In the event that {trig}, the Parties shall {self._pick(COOPERATE)}"
                            + ("." if rtag == "B" else f", and {ACTOR_MID[rtag]} shall {rem}."))
                if rtag in ("B", "E"):
                    return f"Where {trig}, {ACTOR_MID[rtag]} shall {rem}."
                return (f"Where {trig}, {ACTOR_MID[rtag]} shall {rem}, "
                        f"and shall keep {OTHER[rtag]} reasonably informed of its progress.")
            if k in (4, 8):
                ack = self._pick(t["acks"], f"{topic}:acks")
                if ack is None:
                    return None
                return (f"The Parties acknowledge and agree that {ack}." if k == 4
                        else f"For the avoidance of doubt, {ack}.")
            if k == 5:
                if not self._once("construe"):
                    return None
                return f"Nothing in this Section {sec} shall be construed to {self._pick(CONSTRUE, 'construe')}."
            if k == 10:
                if not self._once("docref"):
                    return None
                tag = self._pick([d[0] for d in t["duties"]])
                return (f"{POSSESSIVE[tag]} obligations under this Section {sec} are in addition to, and not in "
                        f"lieu of, its obligations under {self._pick(self.docrefs)}.")
            duty = self._pick(t["duties"], f"{topic}:duties")
            if duty is None:
                return None
            tag, duty = duty
            negative = duty.startswith("not ")
            if k == 0 or negative and k not in (1, 6):
                return f"{ACTOR[tag]} shall {duty}{self._pick(QUALIFIERS, 'qual') or ''}."
            if k == 1 and xrefs and self._once("xref"):
                return f"Without limiting Section {self._pick(xrefs)}, {ACTOR_MID[tag]} shall {duty}."
            if k == 6:
                return f"{ACTOR[tag]} shall {duty}, provided that {self._pick(PROVISOS, 'proviso') or PROVISOS[0]}."
            if k == 7 and tag in OTHER and tag != "E":
                return f"Upon the reasonable written request of {OTHER[tag]}, {ACTOR_MID[tag]} shall {duty}."
            if k == 9 and tag in ("P", "C") and self._once("cost"):
                return (f"Except as otherwise expressly provided in {self._pick(self.docrefs)}, "
                        f"{ACTOR_MID[tag]} shall {duty} at its own cost and expense.")
            return f"{ACTOR[tag]} shall {duty}{self._pick(QUALIFIERS, 'qual') or ''}."

        for _ in range(40):
            s = make()
            if s and s not in self.used:
                self.used.add(s)
                return s
        return None

    def paragraph(self, topic: str, sec: str, xrefs: list[str], n: int, lead: str | None = None) -> str:
        parts = [lead] if lead else []
        while len(parts) < n:
            s = self.sentence(topic, sec, xrefs)
            if s is None:
                break
            parts.append(s)
        return " ".join(parts)

    def clause_list(self, topic: str, n: int) -> list[str]:
        """An introductory line plus (a), (b), ... items sharing one obligor (unused in this section)."""
        t = TOPICS[topic]
        key = f"{topic}:duties"
        free = [(i, g, d) for i, (g, d) in enumerate(t["duties"]) if (key, i) not in self.sec_used]
        if not free:
            return []
        tag = self._pick([g for (_, g, _) in free])
        items = [(i, d) for (i, g, d) in free if g == tag]
        self.rng.shuffle(items)
        items = items[: min(n, len(items))]
        if len(items) < 2:
            return []
        for i, _ in items:
            self.sec_used.add((key, i))
        intro = f"Without limiting its other obligations under this Agreement, {ACTOR_MID[tag]} shall:"
        out = [intro]
        for j, (_, d) in enumerate(items):
            end = ";" if j < len(items) - 2 else ("; and" if j == len(items) - 2 else ".")
            out.append(f"({'abcdefghij'[j]}) {d}{end}")
        return out

    def section(self, topic: str, sec: str, xrefs: list[str],
                exclude_docref: str | None = None) -> tuple[str, list[str]] | None:
        """A whole generated section: (heading, paragraphs)."""
        t = TOPICS[topic]
        heads = [h for h in t["heads"] if (topic, h[0]) not in self.used_heads]
        if not heads:
            return None
        head, lead = self._pick(heads)
        self.used_heads.add((topic, head))
        self.sec_used = set()
        self.docrefs = [d for d in DOCREFS if not (exclude_docref and d.startswith(exclude_docref))]
        r = self.rng
        paras = [self.paragraph(topic, sec, xrefs, r.randint(3, 5), lead)]
        small = len(t["duties"]) < 8  # small vocabularies get shorter sections
        for _ in range(r.randint(0, 1) if small else r.randint(1, 2)):
            p = self.paragraph(topic, sec, xrefs, r.randint(3, 5))
            if p:
                paras.append(p)
        if r.random() < 0.3:
            paras.extend(self.clause_list(topic, r.randint(3, 4)))
        return head, paras
