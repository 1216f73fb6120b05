"""Text of the sample mutual NDA (used by samples/generate.py).

Blocks are (kind, text) pairs: "title", "subtitle", "para", "section" (a numbered
section whose text starts with its run-in heading, separated by "|"), "sub" (an
indented (a)/(b) clause) and "sig" (the signature block, rendered as a table).
"""

from __future__ import annotations

EFFECTIVE_DATE = "January 15, 2024"
SIGNATORIES = [("Northwind Analytics, Inc.", "Maria Chen", "General Counsel"),
               ("Cobalt Ridge Software, Inc.", "Thomas A. Lindqvist", "Chief Executive Officer")]

BLOCKS: list[tuple[str, str]] = [
    ("title", "MUTUAL NON-DISCLOSURE AGREEMENT"),
    ("para",
     'This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of January 15, 2024 '
     '(the "Effective Date") by and between Northwind Analytics, Inc., a Delaware corporation with its '
     'principal place of business at 1200 Lakeview Parkway, Suite 400, Austin, Texas 78746 ("Northwind"), '
     'and Cobalt Ridge Software, Inc., a California corporation with its principal place of business at '
     '455 Mission Bay Boulevard, San Jose, California 95113 ("Cobalt Ridge"). Northwind and Cobalt Ridge '
     'are each referred to in this Agreement as a "Party" and together as the "Parties."'),
    ("subtitle", "RECITALS"),
    ("para",
     "The Parties wish to explore a potential business relationship concerning the integration of "
     "Cobalt Ridge's warehouse execution software with Northwind's logistics analytics platform (the "
     '"Purpose"). In connection with the Purpose, each Party may disclose to the other certain '
     "confidential and proprietary information. The Parties therefore agree as follows."),
    ("section",
     '1. Confidential Information.|"Confidential Information" means any non-public information disclosed '
     "by or on behalf of a Party (the \"Disclosing Party\") to the other Party (the \"Receiving Party\"), "
     "whether before or after the Effective Date and whether disclosed orally, visually, in writing or in "
     "electronic form, that is designated as confidential or that a reasonable person would understand to be "
     "confidential given the nature of the information and the circumstances of disclosure. Confidential "
     "Information includes, without limitation, source code, product roadmaps, algorithms, data models, "
     "pricing, customer lists, business plans, financial information, and the existence and terms of the "
     "Parties' discussions."),
    ("section",
     "2. Exclusions.|Confidential Information does not include information that the Receiving Party can "
     "demonstrate by written records:"),
    ("sub", "(a) is or becomes generally available to the public through no breach of this Agreement by the Receiving Party;"),
    ("sub", "(b) was rightfully known to the Receiving Party without restriction before receipt from the Disclosing Party;"),
    ("sub", "(c) is rightfully received by the Receiving Party from a third party without a duty of confidentiality; or"),
    ("sub", "(d) is independently developed by the Receiving Party without use of or reference to the Disclosing Party's Confidential Information."),
    ("section",
     "3. Obligations of the Receiving Party.|The Receiving Party shall (a) use the Disclosing Party's "
     "Confidential Information solely for the Purpose; (b) not disclose such Confidential Information to any "
     "third party other than its and its affiliates' employees, officers, directors, contractors, and "
     "professional advisors who have a need to know for the Purpose and who are bound by written or "
     "professional obligations of confidentiality no less protective than those in this Agreement; and "
     "(c) protect such Confidential Information using at least the same degree of care it uses to protect "
     "its own information of a similar nature, and in no event less than reasonable care. The Receiving "
     "Party shall be responsible for any breach of this Agreement by any person to whom it discloses "
     "Confidential Information."),
    ("section",
     "4. Compelled Disclosure.|If the Receiving Party is required by law, regulation, subpoena, or court "
     "order to disclose any Confidential Information, it shall, to the extent legally permitted, give the "
     "Disclosing Party prompt written notice of the requirement so that the Disclosing Party may seek a "
     "protective order or other appropriate remedy, shall reasonably cooperate with the Disclosing Party's "
     "efforts at the Disclosing Party's expense, and shall disclose only that portion of the Confidential "
     "Information that it is legally required to disclose."),
    ("section",
     "5. No License; No Obligation.|All Confidential Information remains the property of the Disclosing "
     "Party. Nothing in this Agreement grants the Receiving Party any license or other right in or to the "
     "Disclosing Party's Confidential Information, patents, copyrights, trade secrets, or other intellectual "
     "property, except the limited right to use Confidential Information for the Purpose. Neither Party is "
     "obligated to disclose any particular information or to enter into any further agreement or "
     "transaction, and either Party may end the discussions at any time for any reason."),
    ("section",
     '6. Disclaimer.|ALL CONFIDENTIAL INFORMATION IS PROVIDED "AS IS." NEITHER PARTY MAKES ANY '
     "REPRESENTATION OR WARRANTY, EXPRESS OR IMPLIED, AS TO THE ACCURACY, COMPLETENESS, OR PERFORMANCE OF "
     "ANY CONFIDENTIAL INFORMATION, EXCEPT AS MAY BE SET FORTH IN A DEFINITIVE WRITTEN AGREEMENT BETWEEN "
     "THE PARTIES."),
    ("section",
     '7. Term.|This Agreement shall commence on the Effective Date and continue for a term of two (2) years '
     '(the "Term"), unless terminated earlier in accordance with Section 8. The Receiving Party\'s obligations '
     "with respect to Confidential Information disclosed during the Term shall survive the expiration or "
     "termination of this Agreement for a period of three (3) years, except that obligations with respect to "
     "trade secrets shall continue for so long as the information remains a trade secret under applicable law."),
    ("section",
     "8. Termination.|Either Party may terminate this Agreement at any time, with or without cause, upon "
     "thirty (30) days' prior written notice to the other Party. Termination shall not relieve either Party "
     "of its obligations with respect to Confidential Information disclosed before the effective date of "
     "termination."),
    ("section",
     "9. Return or Destruction.|Upon the Disclosing Party's written request, or upon expiration or "
     "termination of this Agreement, the Receiving Party shall promptly return or destroy all Confidential "
     "Information of the Disclosing Party in its possession or control and, upon request, certify such "
     "return or destruction in writing signed by an officer. Notwithstanding the foregoing, the Receiving "
     "Party may retain copies to the extent required by law or contained in routine electronic backups that "
     "are not readily accessible, provided that such copies remain subject to this Agreement."),
    ("section",
     "10. Remedies.|Each Party acknowledges that unauthorized use or disclosure of the Disclosing Party's "
     "Confidential Information may cause irreparable harm for which monetary damages would be an inadequate "
     "remedy. Accordingly, in addition to any other remedies available at law or in equity, the Disclosing "
     "Party shall be entitled to seek injunctive relief, specific performance, and other equitable relief to "
     "prevent or restrain any actual or threatened breach of this Agreement, without the necessity of posting "
     "a bond or proving actual damages. In any action to enforce this Agreement, the prevailing Party shall "
     "be entitled to recover its reasonable attorneys' fees and costs."),
    ("section",
     "11. Governing Law; Venue.|This Agreement shall be governed by and construed in accordance with the laws "
     "of the State of California, without regard to its conflict of laws principles. Each Party irrevocably "
     "submits to the exclusive jurisdiction of the state and federal courts located in Santa Clara County, "
     "California for any action arising out of or relating to this Agreement, except that either Party may "
     "seek injunctive relief in any court of competent jurisdiction."),
    ("section",
     "12. Export Compliance.|Each Party shall comply with all applicable export control and sanctions laws "
     "and regulations of the United States and other applicable jurisdictions in connection with any "
     "Confidential Information received under this Agreement, and shall not export, re-export, or transfer "
     "any technical data received from the other Party in violation of such laws."),
    ("section",
     "13. No Solicitation of Employees.|During the Term and for twelve (12) months thereafter, neither Party "
     "shall directly solicit for employment any employee of the other Party with whom it first had contact "
     "in connection with the Purpose, provided that general solicitations not targeted at such employees, "
     "and hiring persons who respond to them, shall not violate this Section."),
    ("section",
     "14. Notices.|All notices under this Agreement shall be in writing and delivered by hand, by nationally "
     "recognized overnight courier, or by email with confirmation of receipt, to the addresses set forth "
     "above (or to such other address as a Party may designate by notice), with a copy of any notice to "
     "Northwind addressed to the attention of its General Counsel and a copy of any notice to Cobalt Ridge "
     "addressed to the attention of its Chief Executive Officer."),
    ("section",
     "15. Miscellaneous.|This Agreement constitutes the entire agreement between the Parties concerning its "
     "subject matter and supersedes all prior and contemporaneous agreements and understandings, whether "
     "written or oral, concerning that subject matter. This Agreement may be amended or waived only in a "
     "writing signed by both Parties. Neither Party may assign this Agreement without the prior written "
     "consent of the other Party, except to a successor in connection with a merger, acquisition, or sale of "
     "all or substantially all of its assets or business to which this Agreement relates. If any provision "
     "of this Agreement is held unenforceable, the remaining provisions shall remain in full force and "
     "effect and the unenforceable provision shall be enforced to the maximum extent permitted. No failure "
     "or delay in exercising any right shall operate as a waiver of that right. This Agreement may be "
     "executed in counterparts, including by electronic signature, each of which shall be deemed an original "
     "and all of which together shall constitute one instrument."),
    ("para",
     "IN WITNESS WHEREOF, the Parties have caused this Agreement to be executed by their duly authorized "
     "representatives as of the Effective Date."),
    ("sig", ""),
]
