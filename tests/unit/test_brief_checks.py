from docpipe.analysis.brief import supported, template_point
from docpipe.domain import Citation, Finding

LAW = Finding(field="governing_law", value="State of California", normalized="State of California",
              citation=Citation(quote="This Agreement shall be governed by the laws of the State of California.", page=3),
              verified=True)
ACTION = Finding(field="action_items", value="David will send the revised language by Friday, March 15.",
                 citation=Citation(quote="David will send the revised language by Friday, March 15.", turn=12,
                                   speaker="David Okafor"),
                 verified=True, extra={"owner": "David", "due": "Friday, March 15"})


def test_faithful_restatement_is_supported():
    assert supported("This agreement is governed by the laws of California.", LAW)
    assert supported("David will send the revised language by March 15.", ACTION)


def test_invented_numbers_echoes_and_loops_are_rejected():
    assert not supported("David will send the revised language by March 15, 2023.", ACTION)  # year invented
    assert not supported("TASK: Say this in one short plain-English sentence for a busy lawyer.", LAW)
    assert not supported("two (2) years", LAW)
    assert not supported("The third item is a fact. The third item is a fact. The third item is", LAW)
    assert not supported("The supplier must indemnify everyone against hurricanes and pirates.", LAW)


def test_template_states_the_fact_plainly():
    assert template_point(LAW) == "Governing law: State of California."
    assert "owner: David, due Friday, March 15" in template_point(ACTION)
